"""Callback-request checks: what the browser really sends must pass."""

import pytest

from dashboard.request_guard import BadCallbackRequest, check_callback_body

OUTPUT = "..explore-map.figure@abc123...explore-error.children.."
CALLBACKS = {
    OUTPUT: {
        "output": OUTPUT,
        "inputs": [{"id": "explore-slider", "property": "value"}],
        "state": [],
    }
}


def _body(map_prop="figure@abc123"):
    return {
        "output": OUTPUT,
        "outputs": [
            {"id": "explore-map", "property": map_prop},
            {"id": "explore-error", "property": "children"},
        ],
        "inputs": [{"id": "explore-slider", "property": "value", "value": 0.5}],
        "changedPropIds": ["explore-slider.value"],
    }


@pytest.mark.parametrize("prop", ["figure@abc123", "figure"])
def test_duplicate_outputs_carry_their_hash_in_the_property(prop):
    check_callback_body(_body(prop), CALLBACKS)


def test_a_different_output_property_is_still_refused():
    with pytest.raises(BadCallbackRequest, match="expected explore-map.figure"):
        check_callback_body(_body("style@abc123"), CALLBACKS)
