"""The generator as one ONNX graph the browser runs: image, probabilities, shown layers, edits.

:func:`build_edit_model` rebuilds a generator (reusing its trained layers) with, for every
shown layer L (see :class:`gan_core.activations.GeneratorProbe`), two extra inputs
``keep_L`` and ``set_L`` of L's shape: L's output becomes ``L * keep_L + set_L`` before
the rest of the network reads it. Ones and zeros leave the network as it is; a zero in
``keep`` with a value in ``set`` is every edit the dashboard offers (rows, columns,
channels, rectangles, single units). Its outputs: ``image`` (after any edit of the image
layer), ``probs`` (the model's classifier on that image: K classes) and ``act_L`` for
every shown layer. So one graph serves the explorer, the morph and the activation edits.

Any image the dashboard takes runs in the page: (H, W, C) with H and W in 16..128 and C
1 (grey) or 3 (colour), scored by a classifier of 2..20 classes (see
:mod:`gan_core.labelling`); the manifest says which (``image_shape``, ``classes``). A
generator or classifier outside that, or one whose graph cannot be rebuilt as a chain,
raises :class:`BrowserModelError`: the page then keeps the server path and shows the reason.

:func:`export_browser_model` writes that graph as ONNX (Keras 3 ``export(format="onnx")``,
via tf2onnx) into a folder, named by the content hash of the generator and classifier
files, with a JSON manifest beside it; a second call finds it there.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gan_core.cache import file_digest

EXPORT_VERSION = 3  # 3: the manifest has image_shape and classes
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class BrowserModelError(RuntimeError):
    """The generator cannot be turned into a graph the page runs (it stays on the server)."""

    user_facing = True


@dataclass(frozen=True)
class BrowserModel:
    """An exported graph: its file, content name and what the page needs to feed it."""

    path: Path
    name: str  # "<digest>.onnx", the file's content-addressed name
    manifest: dict


def _layer_shapes(generator, names) -> dict[str, list[int]]:
    return {n: [int(d) for d in generator.get_layer(n).output.shape[1:]] for n in names}


def image_and_classes(generator, classifier) -> tuple[tuple[int, int, int], int]:
    """The (H, W, C) image the generator makes and the number of classes the classifier
    gives for it, or BrowserModelError saying why the page cannot run the pair."""
    from gan_core.checkpoints import CheckpointError
    from gan_core.labelling import MAX_CLASSES, MIN_CLASSES, image_shape_of

    try:
        shape = image_shape_of(generator.outputs[0].shape)
    except CheckpointError as exc:
        raise BrowserModelError(f"{exc}; the server draws it") from exc
    if len(classifier.inputs) != 1 or len(classifier.outputs) != 1:
        raise BrowserModelError("the classifier must take one image and give one output; "
                                "the server draws it")  # fmt: skip
    takes = tuple(classifier.inputs[0].shape[1:])
    out = tuple(classifier.outputs[0].shape)
    if takes != shape:
        raise BrowserModelError(
            f"the classifier takes images {takes}, but the generator makes {shape}; "
            "the server draws it"
        )
    if len(out) != 2 or not isinstance(out[1], int) or not MIN_CLASSES <= out[1] <= MAX_CLASSES:
        raise BrowserModelError(
            f"the classifier's output {out} is not (None, K) with K = {MIN_CLASSES}.."
            f"{MAX_CLASSES} classes; the server draws it"
        )
    return shape, int(out[1])


def _rebuild(generator, classifier):
    import keras

    from gan_core.activations import GeneratorProbe

    probe = GeneratorProbe(generator)
    names = list(probe.layer_names)
    order = [layer.name for layer in generator.layers]
    shapes = _layer_shapes(generator, names)
    # One point per run: a fixed batch of 1 lets the runtime plan every shape in advance.
    inputs = [keras.Input(batch_shape=(1, *t.shape[1:]), dtype=t.dtype, name=("z", "label")[k])
              for k, t in enumerate(generator.inputs)]  # fmt: skip
    keep = {n: keras.Input(batch_shape=(1, *shapes[n]), name=f"keep_{n}") for n in names}
    put = {n: keras.Input(batch_shape=(1, *shapes[n]), name=f"set_{n}") for n in names}
    first = names[0]
    prefix = keras.Model(generator.inputs, generator.get_layer(first).output)
    x = prefix(inputs if len(inputs) > 1 else inputs[0])
    acts = {first: x * keep[first] + put[first]}
    x = acts[first]
    for name in order[order.index(first) + 1 : order.index(names[-1]) + 1]:
        x = generator.get_layer(name)(x)
        if name in keep:
            x = acts[name] = x * keep[name] + put[name]
    image = acts[names[-1]]
    probs = classifier(image)
    model = keras.Model(
        inputs + [keep[n] for n in names] + [put[n] for n in names],
        [image, probs] + [acts[n] for n in names],
        name=f"{generator.name}_browser",
    )
    return model, probe, names, shapes


def build_edit_model(generator, classifier):
    """The generator with a keep/set edit after every shown layer and the classifier on top
    (see the module doc); raises BrowserModelError for a generator that is not a chain
    after its first shown layer, or for an image or classifier the page cannot take
    (see :func:`image_and_classes`)."""
    image_and_classes(generator, classifier)
    try:
        model, probe, names, shapes = _rebuild(generator, classifier)
    except BrowserModelError:
        raise
    except Exception as exc:  # noqa: BLE001 - a layer graph we cannot rebuild as a chain
        raise BrowserModelError(
            "this generator's layers are not a simple chain, so it cannot run in the page "
            f"({type(exc).__name__}); the server draws it"
        ) from exc
    _check_same_as(model, generator, classifier, probe, names, shapes)
    return model, names, shapes


def _check_same_as(model, generator, classifier, probe, names, shapes) -> None:
    """With no edit, the rebuilt graph must give the generator's image and the classifier's
    probabilities for it (a chain check)."""
    rng = np.random.default_rng(0)
    z = rng.uniform(-1, 1, (1, int(generator.inputs[0].shape[1]))).astype(np.float32)
    feed = [z] + ([np.array([[0]], np.int32)] if probe.conditional else [])  # any CGAN has 0
    feed += [np.ones((1, *shapes[n]), np.float32) for n in names]
    feed += [np.zeros((1, *shapes[n]), np.float32) for n in names]
    try:
        outs = model(feed, training=False)
        ours, our_probs = np.asarray(outs[0]), np.asarray(outs[1])
    except Exception as exc:  # noqa: BLE001 - any failure: this generator stays on the server
        raise BrowserModelError(
            f"this generator cannot run in the page ({type(exc).__name__}); the server draws it"
        ) from exc
    theirs = np.asarray(generator(feed[:2] if probe.conditional else feed[0], training=False))
    their_probs = np.asarray(classifier(theirs, training=False))
    if (ours.shape != theirs.shape or not np.allclose(ours, theirs, atol=1e-4)
            or our_probs.shape != their_probs.shape
            or not np.allclose(our_probs, their_probs, atol=1e-4)):  # fmt: skip
        raise BrowserModelError(
            "this generator's layers are not a simple chain, so it cannot run in the page; "
            "the server draws it"
        )


def export_name(generator_path, classifier_path) -> str:
    """The content-addressed file name of the graph of these two model files."""
    h = hashlib.sha256(f"v{EXPORT_VERSION}".encode())
    for path in (generator_path, classifier_path):
        h.update(file_digest(Path(path)).encode())
    return h.hexdigest()[:20] + ".onnx"


def _rename_outputs(onnx_model, names: list[str]) -> None:
    """Keras' export names its outputs Identity:0, Identity_1:0…; give them ours."""
    graph = onnx_model.graph
    for out, new in zip(graph.output, names, strict=True):
        old = out.name
        for node in graph.node:
            node.output[:] = [new if o == old else o for o in node.output]
            node.input[:] = [new if i == old else i for i in node.input]
        out.name = new


def _lock_for(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


def export_browser_model(
    generator, classifier, generator_path, classifier_path, folder, model_id: str = ""
) -> BrowserModel:
    """The graph of ``generator`` + ``classifier`` in ``folder`` (exported once per content;
    written atomically, so an interrupted export leaves nothing half-written)."""
    folder = Path(folder)
    name = export_name(generator_path, classifier_path)
    path, meta = folder / name, folder / (name[: -len(".onnx")] + ".json")
    with _lock_for(name):
        if path.is_file() and meta.is_file():
            try:
                return BrowserModel(path, name, json.loads(meta.read_text()))
            except (OSError, ValueError):
                pass  # a damaged manifest: export again
        image_shape, classes = image_and_classes(generator, classifier)
        model, names, shapes = build_edit_model(generator, classifier)
        folder.mkdir(parents=True, exist_ok=True)
        outputs = ["image", "probs"] + [f"act_{n}" for n in names]
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            raw = Path(tmp) / "raw.onnx"
            try:
                model.export(str(raw), format="onnx", verbose=False)
                import onnx

                onnx_model = onnx.load(str(raw))
                _rename_outputs(onnx_model, outputs)
                onnx.save(onnx_model, str(Path(tmp) / name))
            except BrowserModelError:
                raise
            except Exception as exc:  # noqa: BLE001 - the converter's failures vary
                raise BrowserModelError(
                    f"could not export this generator for the page ({type(exc).__name__}); "
                    "the server draws it"
                ) from exc
            os.replace(Path(tmp) / name, path)
        from gan_core.activations import layer_title

        manifest = {
            "model": model_id,
            "file": name,
            "latent_dim": int(generator.inputs[0].shape[1]),
            "conditional": len(generator.inputs) > 1,
            "image_shape": list(image_shape),  # (H, W, C): C 1 grey, 3 colour
            "classes": classes,  # the classifier's K
            "layers": [
                {
                    "name": n,
                    "title": layer_title(n, shapes[n], output=n == names[-1]),
                    "shape": shapes[n],
                }
                for n in names
            ],
            "outputs": outputs,
            "version": EXPORT_VERSION,
        }
        tmp_meta = meta.with_suffix(".json.tmp")
        tmp_meta.write_text(json.dumps(manifest))
        os.replace(tmp_meta, meta)
        return BrowserModel(path, name, manifest)
