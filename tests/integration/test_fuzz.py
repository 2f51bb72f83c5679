"""Malformed callback requests against the real server: never a 500, never a traceback.

The callback signatures come from the running app's /_dash-dependencies, so every
server-side callback (including pages added later) is fuzzed without listing them here.
"""

from __future__ import annotations

import json
import math
import os
import random

import pytest
import requests

pytestmark = pytest.mark.slow

N_REQUESTS = 2400
UPDATE = "/_dash-update-component"
JSON = {"Content-Type": "application/json"}

NASTY = [
    None, True, False, 0, -1, 1, 7, 9, 10, -10, 0.5, 1.0000001, -1.5, 3.7,
    1e308, -1e308, 10**30, 2**64, -(2**63), float("nan"), float("inf"), float("-inf"),
    "NaN", "nan", "Infinity", "-Infinity", "inf", "1e999", "", " ", "0", "abc", "\x00",
    "../../etc/passwd", "gan-2d/../../../etc/passwd", "/etc/passwd", "..", "C:\\Windows",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "unknown-model", "gan-9d", "classifier",
    "no-such-layer", "<script>alert(1)</script>", "é" * 50, "x" * 20_000,
    [], [None], [1, 2, 3], [float("nan")] * 4, ["a", "b"], [[1, 2], [3]], list(range(500)),
    [1e308] * 5, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], {}, {"a": 1}, {"points": []},
    {"points": [{}]}, {"points": [{"x": "nan", "y": None}]}, {"points": "x"},
    {"points": [{"x": 1e308, "y": -1e308, "customdata": [10**9]}]},
    {"points": [{"x": 0.2, "y": 0.3, "customdata": "../../etc/passwd"}]},
    {"range": {"x": [float("nan"), 1], "y": [0, float("inf")]}}, {"range": "x"},
    {"range": {"x": [0, 10**9], "y": [-(10**9), 5]}},
    [{"layer": "../../etc/passwd", "kind": "rows", "indices": [0]}],
    [{"layer": "no-such-layer", "kind": "units", "indices": [[1e9, 2, 3]], "value": "nan"}],
    [{"kind": "region", "region": [0, 10**9, -5, 3]}], [[0.1, 0.2], [float("nan"), 2]],
]  # fmt: skip


def _outputs_for(output: str, n_wild: int):
    """The 'outputs' field the browser would send for a callback's output key."""

    def one(name):
        id_str, prop = name.rsplit(".", 1)  # "figure@<hash>" for duplicate outputs, as sent
        if id_str.startswith("{"):
            pattern = json.loads(id_str)
            return [
                {"id": {k: (i if isinstance(v, list) else v) for k, v in pattern.items()},
                 "property": prop}
                for i in range(n_wild)
            ]  # fmt: skip
        return {"id": id_str, "property": prop}

    if output.startswith(".."):
        return [one(n) for n in output[2:-2].split("...")]
    return one(output)


def _entry(spec: dict, value, n_wild: int):
    id_str, prop = spec["id"], spec["property"]
    if id_str.startswith("{"):
        pattern = json.loads(id_str)
        values = value if isinstance(value, list) else [value] * n_wild
        return [
            {"id": {k: (i if isinstance(v, list) else v) for k, v in pattern.items()},
             "property": prop, "value": values[i] if i < len(values) else None}
            for i in range(n_wild)
        ]  # fmt: skip
    return {"id": id_str, "property": prop, "value": value}


def _prop_id(spec: dict) -> str:
    id_str = spec["id"]
    if id_str.startswith("{"):
        pattern = json.loads(id_str)
        concrete = {k: (0 if isinstance(v, list) else v) for k, v in pattern.items()}
        id_str = json.dumps(concrete, separators=(",", ":"), sort_keys=True)
    return f"{id_str}.{spec['property']}"


def callback_response(resp) -> dict:
    """A callback reply's outputs by component, with what it set through set_props (the
    page's error box) merged in."""
    data = resp.json()
    out = data.get("response", {})
    for component, props in data.get("sideUpdate", {}).items():
        out.setdefault(component, {}).update(props)
    return out


def callback_body(dep: dict, values: dict, n_wild: int = 2) -> dict:
    """A request body for ``dep`` with ``values`` by 'id.property' (missing ones: None)."""

    def val(spec):
        return values.get(f"{spec['id']}.{spec['property']}")

    return {
        "output": dep["output"],
        "outputs": _outputs_for(dep["output"], n_wild),
        "inputs": [_entry(s, val(s), n_wild) for s in dep["inputs"]],
        "state": [_entry(s, val(s), n_wild) for s in dep["state"]],
        "changedPropIds": [_prop_id(dep["inputs"][0])] if dep["inputs"] else [],
    }


def _dumps(body) -> str:
    return json.dumps(body, allow_nan=True)  # raw NaN / Infinity tokens, like a broken client


def malformed_requests(deps: list[dict], rng: random.Random, n: int):
    """Yield (description, data: bytes | str, headers) for ``n`` malformed requests."""
    server_deps = [d for d in deps if d.get("clientside_function") is None]
    structural = [
        ("not json", "this is not json", JSON),
        ("truncated json", '{"output": "explore-sliders.children", "inputs": [', JSON),
        ("json array", "[1, 2, 3]", JSON),
        ("json string", '"hello"', JSON),
        ("json null", "null", JSON),
        ("empty body", "", JSON),
        ("form body", "output=explore-sliders.children", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("text/plain", _dumps(callback_body(server_deps[0], {})), {"Content-Type": "text/plain"}),
        ("no content type", _dumps(callback_body(server_deps[0], {})), {}),
        ("xml", "<?xml version='1.0'?><a/>", {"Content-Type": "application/xml"}),
        ("binary", bytes(range(256)) * 4, JSON),
        ("bad utf-8", b'{"output": "\xff\xfe"}', JSON),
        ("deep nesting", "[" * 50_000 + "]" * 50_000, JSON),
        ("deep dict", '{"a":' * 5_000 + "1" + "}" * 5_000, JSON),
        ("5 MB body", _dumps({"output": "explore-sliders.children", "pad": "x" * (5 << 20)}), JSON),
        ("5 MB value", _dumps(callback_body(server_deps[0], {"explore-model.value": "y" * (5 << 20)})), JSON),
        ("huge number", '{"output": "explore-sliders.children", "x": 1' + "0" * 5000 + "}", JSON),
    ]  # fmt: skip
    yield from structural
    count = len(structural)
    field_drops = ("output", "outputs", "inputs", "state", "changedPropIds")
    while count < n:
        dep = rng.choice(deps)  # clientside ones too: the server must refuse them cleanly
        specs = dep["inputs"] + dep["state"]
        values = {f"{s['id']}.{s['property']}": rng.choice(NASTY) for s in specs}
        # Sometimes keep a few plausible values so the request gets deeper into the callback.
        for s in specs:
            if rng.random() < 0.4:
                values[f"{s['id']}.{s['property']}"] = rng.choice(
                    ["gan-2d", "gan-3d", "gan-4d", "cgan-3d", 0, 0.25, [0.1, -0.2], "none", "0"]
                )
        body = callback_body(dep, values, n_wild=rng.choice([0, 1, 2, 3, 4, 5]))
        r = rng.random()
        if r < 0.08:
            del body[rng.choice(field_drops)]
            kind = "missing field"
        elif r < 0.16:
            body[rng.choice(field_drops)] = rng.choice(NASTY)
            kind = "wrong field type"
        elif r < 0.20:
            body["output"] = rng.choice(["nope.children", "../../etc/passwd", dep["output"] + "x"])
            kind = "unknown output"
        elif r < 0.26 and body["inputs"]:
            body["inputs"] = body["inputs"][:-1] if rng.random() < 0.5 else body["inputs"] * 2
            kind = "wrong input count"
        elif r < 0.30 and body["inputs"]:
            body["inputs"][0] = rng.choice(["x", 1, None, [1], {"id": "nope", "property": "value"}])
            kind = "malformed input entry"
        elif r < 0.34:
            body["changedPropIds"] = rng.choice([["nope.value"], [1], "x", None, [None]])
            kind = "bad changedPropIds"
        else:
            kind = "nasty values"
        count += 1
        yield f"{kind}: {dep['output'][:60]}", _dumps(body), JSON


def _assert_clean(desc: str, resp: requests.Response) -> None:
    assert resp.status_code != 500, f"{desc}: 500 {resp.text[:300]}"
    assert resp.status_code < 500, f"{desc}: {resp.status_code} {resp.text[:300]}"
    assert "Traceback" not in resp.text, f"{desc}: traceback in body"
    assert 'File "' not in resp.text, f"{desc}: stack frame in body"


def explore_image_body(deps: list[dict], model="gan-2d", values=(0.1, -0.2)) -> dict:
    dep = next(d for d in deps if d["output"].startswith("..explore-image.figure"))
    point = {"values": list(values), "label": 0}  # the page's point record (explore.py)
    return callback_body(dep, {"explore-server-point.data": point, "explore-model.value": model})


def assert_explore_image_works(base: str, deps: list[dict], session=requests) -> dict:
    resp = session.post(base + UPDATE, data=json.dumps(explore_image_body(deps)), headers=JSON,
                        timeout=120)  # fmt: skip
    assert resp.status_code == 200, resp.text[:300]
    fig = resp.json()["response"]["explore-image"]["figure"]
    assert fig["data"][0]["type"] == "heatmap"
    z = fig["data"][0]["z"]
    if isinstance(z, dict):  # plotly's typed-array encoding
        assert z["shape"].replace(" ", "") == "28,28"
    else:
        assert len(z) == 28 and len(z[0]) == 28
    return fig


def test_malformed_callback_requests_never_500(app_url):
    deps = requests.get(app_url + "/_dash-dependencies", timeout=30).json()
    assert any(d["output"].startswith("..explore-image.figure") for d in deps)
    rng = random.Random(int(os.environ.get("GAN_EXPLORER_FUZZ_SEED", "20240601")))
    statuses: dict[int, int] = {}
    sent = 0
    with requests.Session() as session:
        for desc, data, headers in malformed_requests(deps, rng, N_REQUESTS):
            try:
                resp = session.post(app_url + UPDATE, data=data, headers=headers, timeout=120)
            except requests.ConnectionError:
                # The server may close the connection on a body it refused (413) before
                # reading it all; what matters is that it keeps serving (checked below).
                session.close()
                statuses[-1] = statuses.get(-1, 0) + 1
                sent += 1
                continue
            _assert_clean(desc, resp)
            statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
            sent += 1
    print(f"{sent} malformed requests, status counts: {statuses}")
    assert sent >= 2000
    assert statuses.get(400, 0) > 100, statuses  # the shape check answered many
    assert statuses.get(200, 0) + statuses.get(204, 0) > 100, statuses  # values reached callbacks
    assert_explore_image_works(app_url, deps)


def test_wrong_methods_and_paths_are_clean(app_url):
    with requests.Session() as s:
        for method, path in [
            ("GET", UPDATE), ("PUT", UPDATE), ("DELETE", "/"), ("GET", "/../../etc/passwd"),
            ("GET", "/_dash-component-suites/../../../../etc/passwd"),
            ("GET", "/assets/../../../etc/passwd"), ("GET", "/explore?model=../../etc/passwd"),
            ("GET", "/training?model=" + "x" * 5000), ("POST", "/_dash-layout"),
        ]:  # fmt: skip
            resp = s.request(method, app_url + path, timeout=60)
            _assert_clean(f"{method} {path}", resp)
            assert "root:x:" not in resp.text


def test_nan_payload_is_refused_not_rendered(app_url):
    deps = requests.get(app_url + "/_dash-dependencies", timeout=30).json()
    body = explore_image_body(deps, values=(math.nan, 0.0))
    resp = requests.post(app_url + UPDATE, data=_dumps(body), headers=JSON, timeout=60)
    _assert_clean("nan slider", resp)
    out = callback_response(resp)
    assert "explore-image" not in out  # nothing drawn for a non-finite point
    assert "finite" in out["explore-error"]["children"]


def test_debug_off_and_localhost_by_default():
    import inspect

    from dashboard import app as app_module
    from gan_explorer.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
    assert args.debug is False
    sig = inspect.signature(app_module.run_server)
    assert sig.parameters["host"].default == "127.0.0.1"
    assert sig.parameters["debug"].default is False


def test_running_app_is_not_in_debug_mode(app_url):
    import dash

    from dashboard.request_guard import MAX_REQUEST_BYTES

    app = dash.get_app()
    assert app.server.debug is False
    assert app.server.config["MAX_CONTENT_LENGTH"] == MAX_REQUEST_BYTES
    page = requests.get(app_url + "/", timeout=30).text
    assert '"ui":false' in page.replace(" ", "")  # no dev-tools UI (debug mode) in the page
