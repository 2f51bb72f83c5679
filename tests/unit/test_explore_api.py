"""``from gan_explorer import explore``: a real small generator served in a background
thread (in this process and from ``python -c``), its page answering on the model, the port
freed by ``stop()``, and bad input refused with nothing left running or stored."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
import requests

from tests.conftest import REPO

UPDATE = "/_dash-update-component"


# --- talking to a served app (also used by tests/integration/test_notebook.py) ----------


def dependency(base: str, output: str) -> dict:
    """The app's callback whose output names ``output`` (from /_dash-dependencies)."""
    deps = requests.get(base + "/_dash-dependencies", timeout=30).json()
    return next(d for d in deps if output in d["output"])


def _outputs(output: str):
    def one(name):
        component, prop = name.rsplit(".", 1)
        return {"id": component, "property": prop}

    if output.startswith(".."):
        return [one(n) for n in output[2:-2].split("...")]
    return one(output)


def _entry(spec: dict, values: dict):
    value = values.get(f"{spec['id']}.{spec['property']}")
    if not spec["id"].startswith("{"):
        return {"id": spec["id"], "property": spec["property"], "value": value}
    pattern = json.loads(spec["id"])
    if any(isinstance(v, list) for v in pattern.values()):  # a wildcard (ALL): one per value
        return [
            {"id": {k: (i if isinstance(v, list) else v) for k, v in pattern.items()},
             "property": spec["property"], "value": item}
            for i, item in enumerate(value or [])
        ]  # fmt: skip
    return {"id": pattern, "property": spec["property"], "value": value}


def call(base: str, output: str, values: dict, changed: str | None = None, timeout=120) -> dict:
    """Run the app's callback for ``output`` over HTTP as the page would, with ``values``
    by 'id.property' (pattern ids: a list); its outputs by component."""
    dep = dependency(base, output)
    body = {
        "output": dep["output"],
        "outputs": _outputs(dep["output"]),
        "inputs": [_entry(s, values) for s in dep["inputs"]],
        "state": [_entry(s, values) for s in dep["state"]],
        "changedPropIds": [changed or f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
    }
    resp = requests.post(base + UPDATE, json=body, timeout=timeout)
    assert resp.status_code == 200, resp.text[:500]
    return resp.json()["response"]


def page_model(url: str) -> str:
    """The model the explorer page at ``url`` opens on (its model menu's value), as Dash's
    page router lays the page out for that address."""
    parsed = urlparse(url)
    base = f"{parsed.scheme}://{parsed.netloc}"
    out = call(base, "_pages_content.children",
               {"_pages_location.pathname": parsed.path,
                "_pages_location.search": "?" + parsed.query})  # fmt: skip
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == "explore-model":
                found.append(node["props"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(out["_pages_content"]["children"])
    assert found, "no model menu on the page"
    options = [o["value"] if isinstance(o, dict) else o for o in found[0]["options"]]
    assert found[0]["value"] in options
    return found[0]["value"]


def view_json(base: str, model_id: str, point, plane: str | None = None) -> dict:
    """The explorer's "View JSON" download at ``point`` (above 4-D: the coordinates on the
    slice ``plane``): the app runs the model there."""
    values = {"explore-dl-json.n_clicks": 1, "explore-model.value": model_id,
              "{\"index\":[\"ALL\"],\"type\":\"explore-slider\"}.value": list(point)}  # fmt: skip
    if plane is not None:
        values["explore-slice.data"] = {"spec": plane}
    out = call(base, "explore-download.data", values, changed="explore-dl-json.n_clicks")
    data = out["explore-download"]["data"]
    content = base64.b64decode(data["content"]) if data.get("base64") else data["content"]
    return json.loads(content)


def refused(url: str) -> bool:
    try:
        requests.get(url, timeout=5)
    except requests.ConnectionError:
        return True
    return False


# --- models ------------------------------------------------------------------------------


def tiny_generator(latent_dim: int = 2, out_shape=(28, 28, 1), name: str = "tiny_gen"):
    """z -> a 28x28 image through one seeded Dense layer (the bundled classifier names it)."""
    import keras

    keras.utils.set_random_seed(0)
    z = keras.Input((latent_dim,))
    x = keras.layers.Dense(int(np.prod(out_shape)), activation="tanh")(z)
    return keras.Model(z, keras.layers.Reshape(out_shape)(x), name=name)


def tiny_discriminator(in_shape=(28, 28, 1), units: int = 1):
    import keras

    x_in = keras.Input(in_shape)
    out = keras.layers.Dense(units)(keras.layers.Flatten()(x_in))
    return keras.Model(x_in, out, name="tiny_disc")


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    """An empty uploads folder and map cache; the registry's settings restored afterwards
    (explore configures the process's dashboard registry)."""
    from dashboard import registry

    monkeypatch.setenv("GAN_EXPLORER_CACHE", str(tmp_path / "cache"))
    saved = dict(vars(registry.SETTINGS))
    yield tmp_path / "uploads"
    from gan_explorer import notebook

    for handle in list(notebook._running):
        handle.stop()
    registry.configure(saved["checkpoints"], saved["cache_dir"], saved["grid_2d"],
                       saved["cube_n"], saved["uploads"])  # fmt: skip


def _nothing_running():
    from gan_explorer import notebook

    assert notebook._running == []
    assert not [t for t in threading.enumerate() if t.name.startswith("gan-explorer-")]


def _stored(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


# --- tests -------------------------------------------------------------------------------


def test_explore_serves_the_model_and_stop_frees_the_port(uploads):
    from gan_explorer import explore

    handle = explore(tiny_generator(), uploads=uploads)
    assert handle.model_id.startswith("upload-tiny-gen-")
    assert handle.url == f"http://127.0.0.1:{handle.port}/explore?model={handle.model_id}"
    assert handle.model_id in repr(handle) and "running" in repr(handle)
    assert _stored(uploads) == [handle.model_id]
    assert requests.get(handle.url, timeout=30).status_code == 200
    assert page_model(handle.url) == handle.model_id
    view = view_json(handle.base_url, handle.model_id, [0.5, -0.5])
    assert view["model"] == handle.model_id and view["point"] == [0.5, -0.5]
    assert len(view["probabilities"]) == 10 and 0 <= view["digit"] <= 9

    handle.stop()
    assert refused(handle.url)
    with socket.socket() as s:  # the port is free again
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", handle.port))
    handle.stop()  # idempotent
    assert "stopped" in repr(handle)
    _nothing_running()
    assert _stored(uploads) == [handle.model_id]  # the model stays for `gan-explorer serve`


@pytest.mark.slow  # a fresh Python that imports TensorFlow
def test_explore_from_a_python_process(uploads, tmp_path):
    path = tmp_path / "generator.keras"
    tiny_generator(latent_dim=3).save(path)
    code = (
        "import sys\n"
        "from gan_explorer import explore\n"
        f"handle = explore({str(path)!r}, prior='normal', uploads={str(uploads)!r})\n"
        "print('URL', handle.url, flush=True)\n"
        "sys.stdin.readline()\n"
        "handle.stop()\n"
        "print('STOPPED', flush=True)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("URL "):
                break
        url = lines[-1].split()[1]
        assert any(line.startswith("exploring upload-generator-") for line in lines), lines
        model_id = url.split("model=")[1]
        assert requests.get(url, timeout=30).status_code == 200
        assert page_model(url) == model_id
        cfg = json.loads((uploads / model_id / "config.json").read_text())
        assert cfg["prior"] == "normal(0,1)" and cfg["latent_dim"] == 3
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "STOPPED"
        assert refused(url)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_port_in_use_is_refused_and_nothing_is_left(uploads):
    from gan_explorer import ExploreError, explore

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ExploreError, match=f"port {port} .* in use"):
            explore(tiny_generator(), port=port, uploads=uploads)
    _nothing_running()
    assert _stored(uploads) == []


def test_a_chosen_port_is_used(uploads):
    from gan_explorer import explore
    from gan_explorer.harness import free_port

    port = free_port()
    with explore(tiny_generator(), port=port, uploads=uploads) as handle:
        assert handle.port == port
        assert requests.get(handle.url, timeout=30).status_code == 200
    assert refused(handle.url)
    _nothing_running()


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda t: 42, TypeError, "keras.Model or the path of a .keras file"),
        (lambda t: str(t / "missing.keras"), "ExploreError", "no such file"),
        (lambda t: str(t / "weights.h5"), "ExploreError", "not a .keras file"),
        (lambda t: tiny_generator(out_shape=(10,)), "ExploreError", "image"),
        (lambda t: tiny_generator(latent_dim=1), "ExploreError", "2 <= d <= 512"),
        (lambda t: tiny_generator(out_shape=(32, 32, 3)), "ExploreError",
         "bring a classifier of your own"),
    ],
    ids=["not-a-model", "missing-file", "not-keras", "not-an-image", "1-d", "colour-unlabelled"],
)  # fmt: skip
def test_bad_generators_are_refused_and_nothing_is_left(uploads, tmp_path, make, error, message):
    from gan_explorer import ExploreError, explore

    (tmp_path / "weights.h5").write_bytes(b"not keras")
    expected = ExploreError if error == "ExploreError" else error
    with pytest.raises(expected, match=message):
        explore(make(tmp_path), uploads=uploads)
    _nothing_running()
    assert _stored(uploads) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"prior": "cauchy"}, "bad prior"), ({"port": 70000}, "1 to 65535"),
     ({"port": "8050"}, "1 to 65535"), ({"jupyter_mode": "tab"}, "jupyter_mode"),
     ({"dataset": "cifar-10"}, "cifar-10"), ({"class_names": ["a", "b"]}, "need a classifier")],
)  # fmt: skip
def test_bad_arguments_are_refused_before_anything_starts(uploads, kwargs, message):
    from gan_explorer import ExploreError, explore

    with pytest.raises(ExploreError, match=message):
        explore(tiny_generator(), uploads=uploads, **kwargs)
    _nothing_running()
    assert _stored(uploads) == []


def test_a_discriminator_is_stored_for_the_realism_map(uploads):
    from gan_core.checkpoints import load_discriminator
    from gan_explorer import explore

    with explore(tiny_generator(), discriminator=tiny_discriminator(), uploads=uploads) as h:
        disc = load_discriminator(h.model_id, uploads)
        assert tuple(disc.inputs[0].shape[1:]) == (28, 28, 1)
        from dashboard import registry

        values = registry.get(h.model_id).realism_grid(4)
        assert values.shape == (4, 4) and np.all((values > 0) & (values < 1))


@pytest.mark.parametrize(
    ("disc", "message"),
    [(lambda: tiny_discriminator((32, 32, 1)), "not the generator's images"),
     (lambda: tiny_discriminator(units=3), "not one logit")],
    ids=["wrong-image", "three-outputs"],
)  # fmt: skip
def test_a_wrong_discriminator_is_refused_and_nothing_is_left(uploads, disc, message):
    from gan_explorer import ExploreError, explore

    with pytest.raises(ExploreError, match=message):
        explore(tiny_generator(), discriminator=disc(), uploads=uploads)
    _nothing_running()
    assert _stored(uploads) == []


def test_explorers_in_one_process_share_the_uploads_folder(uploads, tmp_path):
    from gan_explorer import ExploreError, explore

    with explore(tiny_generator(), uploads=uploads) as first:
        with pytest.raises(ExploreError, match="another uploads folder"):
            explore(tiny_generator(name="other"), uploads=tmp_path / "elsewhere")
        assert first.running and requests.get(first.url, timeout=30).status_code == 200
        assert not (tmp_path / "elsewhere").exists()


def test_an_own_classifier_names_the_classes_of_the_maps(uploads):
    from dashboard import registry
    from gan_explorer import explore
    from tests.colour_models import COLOUR_NAMES, colour_classifier, colour_generator

    shape = (32, 32, 3)
    with explore(colour_generator(2, shape), classifier=colour_classifier(shape, 3),
                 class_names=COLOUR_NAMES, uploads=uploads) as handle:  # fmt: skip
        assert page_model(handle.url) == handle.model_id
        explorer = registry.get(handle.model_id)
        assert explorer.class_names == COLOUR_NAMES and explorer.image_shape == shape
        for point, colour in (([0.9, 0.0], "red"), ([0.0, 0.9], "green"), ([-0.9, -0.9], "blue")):
            view = view_json(handle.base_url, handle.model_id, point)
            assert len(view["probabilities"]) == 3
            assert COLOUR_NAMES[int(np.argmax(view["probabilities"]))] == colour
    assert (uploads / handle.model_id / "classifier.keras").is_file()


def test_a_classifier_that_does_not_fit_is_refused_and_nothing_is_left(uploads):
    from gan_explorer import ExploreError, explore
    from tests.colour_models import colour_classifier, colour_generator

    with pytest.raises(ExploreError, match="classifier"):
        explore(colour_generator(2, (32, 32, 3)), classifier=colour_classifier((28, 28, 1), 3),
                uploads=uploads)  # fmt: skip
    _nothing_running()
    assert _stored(uploads) == []
