"""The load test's traffic (benchmarks/traffic.py): recorded from a real headless-Chromium
visit to /explore, replayed from two users against the real app with no errors, and a
callback answered with a message in the page's error box counted as an error (the load
test once posted a stale request shape for months: every answer was such a message)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import requests

from tests.integration.conftest import CHROMEDRIVER, CHROMIUM

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "benchmarks"))
import traffic  # noqa: E402

BROKEN_POINT = {
    "multi": True,
    "response": {},
    "sideUpdate": {
        "explore-error": {"children": "the point must be a record with a list of values"}
    },
}


def test_error_box_message_is_an_error():
    """An HTTP 200 whose callback response fills an error box is an error; clearing it is not."""
    path = traffic.UPDATE
    body = json.dumps(BROKEN_POINT)
    error = traffic.response_error("POST", path, 200, body, ["explore-error"])
    assert error and "the point must be a record" in error
    view_box = '{"aio_id":"explore","component":"latent-view","subcomponent":"error"}'
    assert traffic.response_error(
        "POST", path, 200, json.dumps({"sideUpdate": {view_box: {"children": "bad point"}}})
    )  # a pattern-matching error box, named like one even if the recording missed it
    cleared = {"response": {"explore-image": {"figure": {}}}, "sideUpdate": {"explore-error": {"children": ""}}}  # fmt: skip
    assert traffic.response_error("POST", path, 200, json.dumps(cleared), ["explore-error"]) is None
    assert traffic.response_error("POST", path, 204, b"", []) is None
    assert traffic.response_error("POST", path, 500, b"oops", []).startswith("HTTP 500")
    assert traffic.response_error("GET", "/x.js", 304, b"", [], conditional=True) is None
    assert traffic.response_error("GET", "/x.js", 304, b"", []) is not None


def test_release_point_is_replaced_where_the_browser_put_it():
    body = {"inputs": [{"id": "p", "property": "data", "value": [0.48, 0]}],
            "state": [[{"id": {"type": "s", "index": 1}, "property": "value", "value": 0},
                       {"id": {"type": "s", "index": 0}, "property": "value", "value": 0.48}]]}  # fmt: skip
    paths = traffic.point_paths(body, [0.48, 0])
    assert len(paths) == 2
    moved = traffic.with_point(body, paths, [0.1, -0.2])
    assert moved["inputs"][0]["value"] == [0.1, -0.2]
    assert [v["value"] for v in moved["state"][0]] == [-0.2, 0.1]
    assert body["inputs"][0]["value"] == [0.48, 0]  # the recording itself is kept


@pytest.fixture(scope="module")
def recording(app_url):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("chromium/chromedriver not installed")
    return traffic.record(app_url, "gan-2d")


@pytest.mark.browser
@pytest.mark.slow
def test_recorded_visit_replays_without_errors(app_url, recording):
    kinds = {r.kind for r in recording.requests}
    assert any(k.startswith("release: callback") for k in kinds), kinds
    assert {"load: GET /explore", "load: graph download", "load: runtime download"} <= kinds
    results, elapsed = traffic.replay(app_url, [recording], users=2, seconds=10,
                                      releases_per_visit=5)  # fmt: skip
    report = traffic.report(results, elapsed)
    assert results.total_errors == 0, report
    assert not kinds - set(results.latencies), report  # every kind of request was sent
    assert all(len(v) > 0 for v in results.latencies.values()), report
    assert results.varied > 0, report


@pytest.mark.browser
@pytest.mark.slow
def test_a_stale_point_shape_counts_as_an_error(app_url, recording):
    """What the old load test sent: the slider values where the page now sends a point
    record. The app answers 200 with a message in the error box; that is an error."""

    def stale(node):  # {"values": [...], "label": n} -> [...]
        if isinstance(node, dict):
            if isinstance(node.get("values"), list) and "label" in node:
                return node["values"], True
            out, hit = {}, False
            for k, v in node.items():
                out[k], h = stale(v)
                hit |= h
            return out, hit
        if isinstance(node, list):
            pairs = [stale(v) for v in node]
            return [p[0] for p in pairs], any(p[1] for p in pairs)
        return node, False

    sent = 0
    for req in recording.load:
        if req.method != "POST" or not req.body:
            continue
        body, hit = stale(json.loads(req.body))
        if not hit:
            continue
        r = requests.post(app_url + req.path, json=body, timeout=60)
        error = traffic.response_error("POST", req.path, r.status_code, r.content,
                                       recording.error_boxes)  # fmt: skip
        assert error and "point must be a record" in error, (r.status_code, r.text[:300])
        sent += 1
    assert sent > 0, "no recorded request carries a point record"
