"""Faults while the server runs: the map cache deleted or corrupted, a truncated checkpoint.

(Redis stopped mid-run is tested with the gunicorn + Celery topology in test_topology.py.)
"""

from __future__ import annotations

import json
import shutil
import time

import pytest
import requests

from gan_explorer.harness import free_port
from tests.integration.test_fuzz import (
    JSON,
    UPDATE,
    assert_explore_image_works,
    callback_body,
    callback_response,
    explore_image_body,
)

pytestmark = pytest.mark.slow


def _dep(deps, prefix):
    return next(d for d in deps if d["output"].startswith(prefix))


def _post(base, body):
    resp = requests.post(base + UPDATE, data=json.dumps(body), headers=JSON, timeout=120)
    assert resp.status_code in (200, 204), resp.text[:300]
    return callback_response(resp) if resp.status_code == 200 else {}


def _view_body(dep: dict, values: dict, aio_id: str = "explore") -> dict:
    """A request body for one of the latent view's MATCH callbacks, as the explore page
    sends it: ``values`` by 'subcomponent.property' (missing ones: None)."""

    def concrete(spec_id: str) -> dict:
        return {k: aio_id if v == ["MATCH"] else v for k, v in json.loads(spec_id).items()}

    def entry(spec):
        cid = concrete(spec["id"])
        return {"id": cid, "property": spec["property"],
                "value": values.get(f"{cid['subcomponent']}.{spec['property']}")}  # fmt: skip

    outputs = []
    for name in dep["output"][2:-2].split("..."):
        id_str, prop = name.rsplit(".", 1)
        outputs.append({"id": concrete(id_str), "property": prop.split("@")[0]})
    first = dep["inputs"][0]
    return {"output": dep["output"], "outputs": outputs,
            "inputs": [entry(s) for s in dep["inputs"]], "state": [entry(s) for s in dep["state"]],
            "changedPropIds": [json.dumps(concrete(first["id"]), separators=(",", ":"))
                               + "." + first["property"]]}  # fmt: skip


def explore_map(base: str, deps: list[dict], model: str = "gan-2d", timeout: float = 180):
    """Ask for the explore map like the page does: render, poll the job, render again."""
    render = _dep(
        deps, '..{"aio_id":["MATCH"],"component":"latent-view","subcomponent":"figure"}.figure..'
    )
    poll = _dep(
        deps, '..{"aio_id":["MATCH"],"component":"latent-view","subcomponent":"progress-box"}'
    )
    done = None
    deadline = time.time() + timeout
    while time.time() < deadline:
        out = _post(base, _view_body(render, {"model.data": model, "axis.value": "none", "index.value": 0,
                                              "colour.value": "class", "job-done.data": done,
                                              "point.data": [0.0, 0.0]}))  # fmt: skip
        view = {
            json.loads(k)["subcomponent"] if k.startswith("{") else k: v for k, v in out.items()
        }
        assert not view.get("error", {}).get("children"), view["error"]
        if "figure" in view:
            return view["figure"]["figure"]
        key = view["job"]["data"]
        while time.time() < deadline:
            p = _post(base, _view_body(poll, {"job.data": key, "poll.n_intervals": 1}))
            p = {json.loads(k)["subcomponent"] if k.startswith("{") else k: v for k, v in p.items()}
            if "job-done" in p:
                assert not p.get("error", {}).get("children"), p
                done = p["job-done"]["data"]
                break
            time.sleep(0.3)
    raise AssertionError(f"the {model} map never arrived")


@pytest.fixture
def deps(app_url):
    return requests.get(app_url + "/_dash-dependencies", timeout=30).json()


def test_cache_folder_deleted_while_serving(app_url, deps):
    from dashboard import registry

    cache = registry.cache()
    first = explore_map(app_url, deps)
    shutil.rmtree(cache.directory)
    misses = cache.misses
    again = explore_map(app_url, deps)  # recomputed into a recreated folder
    assert cache.misses > misses
    assert cache.directory.is_dir() and (cache.directory / "cache.db").is_file()
    assert again["data"][0]["z"] == first["data"][0]["z"]
    hits = cache.hits
    explore_map(app_url, deps)  # and now served from the new store
    assert cache.hits > hits
    assert requests.get(app_url + "/explore", timeout=30).status_code == 200
    assert_explore_image_works(app_url, deps)


def test_corrupt_cache_entries_while_serving(app_url, deps):
    from dashboard import registry

    cache = registry.cache()
    explore_map(app_url, deps)
    store = cache._store()
    keys = list(store.iterkeys())
    assert keys
    for key in keys:
        store.set(key, b"\x00garbage, not a map")
    recovered = cache.recovered
    fig = explore_map(app_url, deps)
    assert fig["data"]
    assert cache.recovered > recovered
    assert_explore_image_works(app_url, deps)


@pytest.fixture
def broken_model(test_checkpoints):
    """A copy of gan-2d whose generator file is cut in half, removed afterwards."""
    folder = test_checkpoints / "gan-broken"
    shutil.copytree(test_checkpoints / "gan-2d", folder)
    gen = folder / "generator.keras"
    data = gen.read_bytes()
    gen.write_bytes(data[: len(data) // 2])
    yield "gan-broken"
    shutil.rmtree(folder, ignore_errors=True)


def test_info_reports_a_truncated_checkpoint(fresh_checkpoints, capsys):
    from gan_explorer.cli import main
    from tests.conftest import make_checkpoint

    make_checkpoint(fresh_checkpoints, "gan-3d", 3, seed=1)
    gen = fresh_checkpoints / "gan-3d" / "generator.keras"
    gen.write_bytes(gen.read_bytes()[:5000])
    status = main(["--checkpoints", str(fresh_checkpoints), "info"])
    out = capsys.readouterr().out
    assert status == 1
    lines = {line.split()[0]: line for line in out.splitlines()[3:] if line.strip()}
    assert "ERROR" in lines["gan-3d"] and "corrupt model file" in lines["gan-3d"]
    assert "generator.keras" in lines["gan-3d"]
    assert "ERROR" not in lines["gan-2d"] and "ERROR" not in lines["classifier"]
    assert "Traceback" not in out


def test_home_shows_a_truncated_model_as_unusable_and_serves_the_rest(app_url, deps, broken_model):
    router = _dep(deps, ".._pages_content.children")
    home = _post(app_url, callback_body(router, {"_pages_location.pathname": "/",
                                                 "_pages_location.search": ""}))  # fmt: skip
    text = json.dumps(home["_pages_content"]["children"])
    assert broken_model in text
    assert "unusable: corrupt model file" in text
    for model in ("gan-2d", "gan-3d", "gan-4d", "cgan-3d"):
        assert model in text
    explore = _post(app_url, callback_body(router, {"_pages_location.pathname": "/explore",
                                                    "_pages_location.search": ""}))  # fmt: skip
    assert broken_model not in json.dumps(explore)  # not offered in the model menu
    # asking for it anyway gives a clear message; the others are still served
    body = explore_image_body(deps, model=broken_model)
    out = _post(app_url, body)
    assert "corrupt model file" in out["explore-error"]["children"]
    assert_explore_image_works(app_url, deps)
    explore_map(app_url, deps, "gan-2d")


def test_unreachable_redis_gives_a_clear_error_and_views_keep_working(app_url, deps, monkeypatch):
    port = free_port()  # a port nothing listens on
    monkeypatch.setenv("REDIS_URL", f"redis://:secret@127.0.0.1:{port}/0")
    start = time.time()
    out = _post(app_url, callback_body(_dep(deps, "..home-precompute-job.data"),
                                       {"home-precompute.n_clicks": 1}))  # fmt: skip
    assert time.time() - start < 15
    error = out["home-precompute-error"]["children"]
    assert "cannot reach Redis" in error and f"127.0.0.1:{port}" in error
    assert "secret" not in error
    assert_explore_image_works(app_url, deps)
    explore_map(app_url, deps)
