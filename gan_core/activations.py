"""Generator activations for one latent point, and edits of any layer's output.

:class:`GeneratorProbe` runs ONE compiled function that returns the image and every shown
layer's output at once. :meth:`GeneratorProbe.edit` zeroes (or sets) rows, columns,
channels, rectangular regions or single units of layer outputs and runs the rest of the
generator from there, reusing the trained layers.

Shown layers of the study's generator, all post-activation: ``reshape`` (the dense
layer's activations ``dense_act`` viewed as 7x7x256; ``dense_act`` is accepted as an
alias), ``conv1_act`` (7x7x128), ``conv2_act`` (14x14x64) and ``image`` (28x28x1, tanh).
The CGAN also shows ``conditioned_z`` (noise x label embedding, a vector of d units).
Batch-norm outputs before the activation are not shown: the activation is what the next
layer reads. Other generators show every layer with a 2D or 4D output (a Dense layer's
units as a vector, a Reshape or convolution as H x W x C), whatever their image shape:
grey (H, W, 1) or colour (H, W, 3). A layer's title gives its real shape
(:func:`layer_title`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from gan_core.images import squeeze
from gan_core.latent import LatentInputError, validate_label, validate_point

STUDY_LAYERS = ("reshape", "conv1_act", "conv2_act", "image")
EDIT_KINDS = ("rows", "columns", "channels", "region", "units")
MAX_EDIT_VALUE = 1e3
LAYER_ALIASES = {"dense_act": "reshape"}

# Titles of the study's layers at the study's (MNIST) shapes; :func:`layer_title` gives
# any generator's from its real shapes.
LAYER_TITLES = {
    "conditioned_z": "noise × label embedding",
    "reshape": "dense (7×7×256)",
    "conv1_act": "conv 1 (7×7×128)",
    "conv2_act": "conv 2 (14×14×64)",
    "image": "image (28×28)",
}
# What the study's layers are, without their shapes.
LAYER_NAMES = {
    "conditioned_z": "noise × label embedding",
    "reshape": "dense",
    "dense_act": "dense",
    "conv1_act": "conv 1",
    "conv2_act": "conv 2",
    "image": "image",
}


def layer_title(name: str, shape=None, output: bool = False) -> str:
    """A shown layer's title with its real shape (no batch axis): "conv 1 (7×7×128)",
    "image (28×28)" for a grey image (the output layer, ``output=True``, or one called
    "image"), "image (32×32×3)" for a colour one, "pixels (3072)" for a vector. The CGAN's
    noise x label embedding keeps its title without a shape."""
    if name == "conditioned_z":
        return LAYER_NAMES[name]
    base = LAYER_NAMES.get(name, name)
    if shape is None:
        return LAYER_TITLES.get(name, name)
    dims = [int(v) for v in tuple(shape) if v is not None]
    if (output or name == "image") and len(dims) == 3 and dims[-1] == 1:
        dims = dims[:2]  # a grey image is shown as H x W
    return f"{base} ({'×'.join(str(v) for v in dims)})" if dims else base


@dataclass
class Edit:
    """Set part of one layer's output to ``value`` (0 = zero it).

    kind: "rows" / "columns" / "channels" take ``indices`` (ints); "region" takes
    ``region=(r0, r1, c0, c1)`` (end-exclusive) and optional channel ``indices``
    (default all); "units" takes ``indices`` as (row, col, channel) triples (or plain
    ints for a vector layer).
    """

    layer: str
    kind: str
    indices: list = field(default_factory=list)
    region: tuple | None = None
    value: float = 0.0

    @classmethod
    def from_dict(cls, data) -> Edit:
        """An Edit from a JSON-like dict (e.g. a browser payload), validated for types."""
        if not isinstance(data, dict):
            raise LatentInputError(f"an edit must be an object, got {type(data).__name__}")
        try:
            region = data.get("region")
            return cls(
                layer=str(data["layer"]),
                kind=str(data["kind"]),
                indices=list(data.get("indices") or []),
                region=None if region is None else tuple(int(v) for v in region),
                value=float(data.get("value", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise LatentInputError(f"malformed edit {data!r}: {exc}") from exc

    def to_dict(self) -> dict:
        return {
            "layer": self.layer, "kind": self.kind, "indices": list(self.indices),
            "region": None if self.region is None else list(self.region), "value": self.value,
        }  # fmt: skip


def _as_hwc(act: np.ndarray) -> np.ndarray:
    return act if act.ndim == 3 else act.reshape(1, 1, -1)


def apply_edits(act: np.ndarray, edits: list[Edit]) -> np.ndarray:
    """A copy of one layer's output (H, W, C) or (units,) with ``edits`` applied."""
    out = np.array(act, dtype=np.float32, copy=True)
    view = _as_hwc(out)
    h, w, c = view.shape
    for e in edits:
        value = float(e.value)
        if not np.isfinite(value) or abs(value) > MAX_EDIT_VALUE:
            raise LatentInputError(f"edit value must be finite within ±{MAX_EDIT_VALUE:g}")
        if e.kind not in EDIT_KINDS:
            raise LatentInputError(
                f"unknown edit kind {e.kind!r}; use one of {', '.join(EDIT_KINDS)}"
            )
        try:
            if e.kind in ("rows", "columns", "channels"):
                limit = {"rows": h, "columns": w, "channels": c}[e.kind]
                idx = [int(i) for i in e.indices]
                if any(not 0 <= i < limit for i in idx):
                    raise LatentInputError(
                        f"{e.kind} of layer {e.layer!r} must be in [0, {limit - 1}]"
                    )
                if e.kind == "rows":
                    view[idx, :, :] = value
                elif e.kind == "columns":
                    view[:, idx, :] = value
                else:
                    view[:, :, idx] = value
            elif e.kind == "region":
                if e.region is None or len(e.region) != 4:
                    raise LatentInputError("a region edit needs region=(r0, r1, c0, c1)")
                r0, r1, c0, c1 = (int(v) for v in e.region)
                if not (0 <= r0 < r1 <= h and 0 <= c0 < c1 <= w):
                    raise LatentInputError(
                        f"region {e.region} is outside the {h}x{w} layer {e.layer!r}"
                    )
                chans = [int(i) for i in e.indices] or list(range(c))
                if any(not 0 <= ch < c for ch in chans):
                    raise LatentInputError(f"channels of layer {e.layer!r} must be in [0, {c - 1}]")
                for ch in chans:
                    view[r0:r1, c0:c1, ch] = value
            else:  # units
                for unit in e.indices:
                    r, col, ch = (0, 0, int(unit)) if np.ndim(unit) == 0 else (int(v) for v in unit)
                    if not (0 <= r < h and 0 <= col < w and 0 <= ch < c):
                        raise LatentInputError(
                            f"unit {unit} is outside layer {e.layer!r} ({h}x{w}x{c})"
                        )
                    view[r, col, ch] = value
        except (TypeError, ValueError) as exc:
            if isinstance(exc, LatentInputError):
                raise
            raise LatentInputError(f"malformed {e.kind} edit on {e.layer!r}: {exc}") from exc
    return out


SHORT_VECTOR = 16


def mean_heatmap(act: np.ndarray) -> np.ndarray:
    """2D map of a layer's output: mean over channels; a vector as one row when short (at
    most ``SHORT_VECTOR`` values, e.g. the CGAN's noise x label embedding), else as a
    near-square with the unused cells left blank (NaN)."""
    act = np.asarray(act, dtype=np.float32)
    if act.ndim == 3:
        return act.mean(axis=-1)
    if act.ndim == 1:
        n = act.size
        if n <= SHORT_VECTOR:
            return act.reshape(1, n)
        side = int(np.ceil(np.sqrt(n)))
        padded = np.full(side * side, np.nan, np.float32)
        padded[:n] = act
        return padded.reshape(side, side)
    if act.ndim == 2:
        return act
    raise LatentInputError(f"cannot show an activation of shape {act.shape}")


def channel_maps(act: np.ndarray, channels=None) -> np.ndarray:
    """(K, H, W) maps of the chosen channels (all by default) of an (H, W, C) output."""
    act = _as_hwc(np.asarray(act, dtype=np.float32))
    idx = list(range(act.shape[-1])) if channels is None else [int(c) for c in channels]
    if any(not 0 <= c < act.shape[-1] for c in idx):
        raise LatentInputError(f"channels must be in [0, {act.shape[-1] - 1}]")
    return np.moveaxis(act[..., idx], -1, 0)


@dataclass
class EditResult:
    """The image before and after the edits, and their difference (edited - original).

    ``edited_activations`` holds every shown layer's output on the edited run: layers
    before the first edited one keep their original values, later ones are recomputed.
    """

    original: np.ndarray
    edited: np.ndarray
    diff: np.ndarray
    edited_activations: dict[str, np.ndarray]

    @property
    def layer_outputs(self) -> dict[str, np.ndarray]:
        return self.edited_activations


class GeneratorProbe:
    """Image + every shown layer's output in one compiled call; edits from any shown layer.

    Editing runs compiled sub-models ("segments") that reuse the generator's trained
    layers: the segment of a shown layer maps its output to the next shown layer's output,
    so edits on several layers are applied in network order on the way to the image.

    Args:
        generator: the Keras generator (1 input, or noise + label for a CGAN).
        classifier: optional classifier of the images (K classes); when given,
            :meth:`probe` also returns its probabilities for the image, computed inside the
            same compiled call.
    """

    def __init__(self, generator, classifier=None, bounds: tuple[float, float] = (-1.0, 1.0)):
        """``bounds``: where a latent coordinate may lie (the prior's, see Prior.bounds)."""
        import keras
        import tensorflow as tf

        self.bounds = tuple(float(b) for b in bounds)
        self.generator = generator
        self.classifier = classifier
        self.conditional = len(generator.inputs) > 1
        self.latent_dim = int(generator.inputs[0].shape[1])
        self._order = [layer.name for layer in generator.layers]
        self.output_layer = generator.outputs[0]._keras_history[0].name
        names = set(self._order)
        if all(n in names for n in STUDY_LAYERS):
            shown = list(STUDY_LAYERS)
            if self.conditional and "conditioned_z" in names:
                shown.insert(0, "conditioned_z")
        else:
            shown = [
                layer.name
                for layer in generator.layers
                if not isinstance(layer, keras.layers.InputLayer)
                and len(layer.output.shape) in (2, 4)
            ]
        if self.output_layer not in shown:
            shown.append(self.output_layer)
        self.layer_names = sorted(shown, key=self._order.index)
        outputs = [generator.get_layer(n).output for n in self.layer_names]
        self._multi = keras.Model(generator.inputs, outputs)
        multi, clf = self._multi, classifier

        @tf.function(reduce_retracing=True)
        def run(inputs):
            outs = multi(inputs, training=False)
            outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
            if clf is not None:
                outs.append(clf(outs[-1], training=False))
            return outs

        self._fn = run
        self._segments: dict[str, Callable] = {}
        self._chain_ok: dict[str, bool] = {}

    def layer_title(self, name: str) -> str:
        """The title of shown layer ``name`` with its real shape (see :func:`layer_title`)."""
        if name not in self.layer_names and LAYER_ALIASES.get(name) in self.layer_names:
            name = LAYER_ALIASES[name]
        if name not in self.layer_names:
            return LAYER_TITLES.get(name, name)
        shape = self.generator.get_layer(name).output.shape[1:]
        return layer_title(name, shape, output=name == self.output_layer)

    @property
    def image_shape(self) -> tuple[int, ...]:
        """The generator's image shape without the batch axis, e.g. (28, 28, 1)."""
        return tuple(int(v) for v in self.generator.outputs[0].shape[1:])

    def resolve_layer(self, name: str) -> str:
        """The shown layer called ``name`` (aliases like ``dense_act`` accepted)."""
        name = LAYER_ALIASES.get(name, name) if name not in self.layer_names else name
        if name not in self.layer_names:
            raise LatentInputError(f"unknown layer {name!r}; layers: {', '.join(self.layer_names)}")
        return name

    def _inputs(self, z, label):
        z = validate_point(z, self.latent_dim, *self.bounds)[None]
        label = validate_label(label, self.conditional)
        if label is None:
            return z
        return [z, np.array([[label]], np.int32)]

    def probe(self, z, label=None) -> dict:
        """One point's image and shown layer outputs, from one compiled call.

        Returns:
            {"image": the squeezed image, grey (H, W) or colour (H, W, 3), "activations":
            {layer: (H, W, C) or (units,)}}, plus "probs": (K,) when the probe has a
            classifier.
        """
        outs = [np.asarray(o, dtype=np.float32)[0] for o in self._fn(self._inputs(z, label))]
        n = len(self.layer_names)
        acts = dict(zip(self.layer_names, outs[:n]))
        result = {"image": squeeze(acts[self.output_layer]), "activations": acts}
        if self.classifier is not None:
            result["probs"] = outs[n]
        return result

    def _segment(self, start: str) -> Callable:
        """Compiled sub-model: ``start``'s output -> the next shown layer's output."""
        if start not in self._segments:
            import keras
            import tensorflow as tf

            nxt = self.layer_names[self.layer_names.index(start) + 1]
            begin, end = self._order.index(start), self._order.index(nxt)
            x_in = keras.Input(shape=tuple(self.generator.get_layer(start).output.shape[1:]))
            x = x_in
            for name in self._order[begin + 1 : end + 1]:
                x = self.generator.get_layer(name)(x, training=False)
            model = keras.Model(x_in, x, name=f"{self.generator.name}_from_{start}")
            self._segments[start] = tf.function(
                lambda t, model=model: model(t, training=False), reduce_retracing=True
            )
        return self._segments[start]

    def _run_from(self, start: str, value: np.ndarray, edits: dict, record: dict) -> np.ndarray:
        """Run the segments after ``start`` to the output, applying ``edits`` on the way."""
        x = value
        for name in self.layer_names[self.layer_names.index(start) + 1 :]:
            prev = self.layer_names[self.layer_names.index(name) - 1]
            x = np.asarray(self._segment(prev)(x[None]), dtype=np.float32)[0]
            if name in edits:
                x = apply_edits(x, edits[name])
            record[name] = x
        return x

    def _verify_chain(self, start: str, acts: dict) -> None:
        """Segments assume the layers after ``start`` form a chain; check it once numerically."""
        if start not in self._chain_ok:
            try:
                out = self._run_from(start, acts[start], {}, {})
                self._chain_ok[start] = bool(
                    np.allclose(out, acts[self.output_layer], atol=1e-4, rtol=1e-3)
                )
            except Exception:  # noqa: BLE001 - any failure means the layer is not a chain start
                self._chain_ok[start] = False
        if not self._chain_ok[start]:
            raise LatentInputError(
                f"layer {start!r} of this generator cannot be edited (not a simple chain)"
            )

    def edit(self, z, edits: list[Edit], label=None) -> EditResult:
        """The image after ``edits`` (on any shown layers; applied in network order).

        An empty list returns the plain forward pass.
        """
        edits = [e if isinstance(e, Edit) else Edit.from_dict(e) for e in edits]
        base = self.probe(z, label)
        original = base["image"]
        record = dict(base["activations"])
        if not edits:
            return EditResult(original, original.copy(), np.zeros_like(original), record)
        by_layer: dict[str, list[Edit]] = {}
        for e in edits:
            by_layer.setdefault(self.resolve_layer(e.layer), []).append(e)
        first = min(by_layer, key=self.layer_names.index)
        if first != self.output_layer:
            self._verify_chain(first, base["activations"])
        start_value = apply_edits(base["activations"][first], by_layer.pop(first))
        record[first] = start_value
        if first == self.output_layer:
            out = start_value
        else:
            out = self._run_from(first, start_value, by_layer, record)
        edited = np.asarray(squeeze(out), np.float32)
        return EditResult(original, edited, edited - original, record)
