"""Class maps through ONNX Runtime: generate + classify many latent points, fast, on CPU.

The map engine runs the graph :mod:`gan_core.browser_model` exports (generator + the
model's classifier, the same file the page runs, exported once per content) with onnxruntime's
CPU provider: about twice the images per second of the TensorFlow eager calls of
:func:`gan_core.grids.classify_latents` on the same cores (benchmarks/README.md, "Class
maps on a new latent slice").

The graph's edit inputs (``keep_<layer>`` ones, ``set_<layer>`` zeros: no edit) are fed
with a batch of one; ONNX's Mul/Add broadcast them over the batch, so a batch of points
costs no (batch, layer) mask arrays. Only ``probs`` is fetched. A leaner graph (probs
only, no mask inputs) was measured too: no faster beyond the noise, so the one cached
export serves both the page and the maps.

Any image shape and class count the export takes runs here: the probabilities are (N, K)
for the classifier's K classes (the manifest's ``classes``, checked against the graph).

The probabilities agree with the TensorFlow path to about 1e-7 (float32 kernels summed
in another order): tests/unit/test_map_engine.py holds them to 1e-4 and the classes to
99.9% of the points.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

BATCH_SIZE = 256  # points per run: the measured best on 2 cores, ~10 MB of activations
ENGINE_ENV = "GAN_EXPLORER_MAP_ENGINE"  # "tensorflow" keeps slice maps on TensorFlow

_DTYPES = {"tensor(float)": np.float32, "tensor(int32)": np.int32, "tensor(int64)": np.int64}


class MapEngineError(RuntimeError):
    """The map engine cannot run this model (the TensorFlow path draws its maps)."""


def engine_wanted() -> bool:
    """False when $GAN_EXPLORER_MAP_ENGINE asks for the TensorFlow path."""
    value = os.environ.get(ENGINE_ENV, "").strip().lower()
    if value in ("", "onnx", "onnxruntime"):
        return True
    if value in ("tensorflow", "tf"):
        return False
    raise MapEngineError(f"${ENGINE_ENV} must be 'onnxruntime' or 'tensorflow', not {value!r}")


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class OnnxMapEngine:
    """Class probabilities (N, K) of the images a generator makes at latents (N, d).

    Args:
        path: the exported graph (``BrowserModel.path``).
        manifest: its manifest (``BrowserModel.manifest``): latent_dim, conditional, layers,
            classes.
        threads: onnxruntime's intra-op threads (default: the cores this process may use).
        batch_size: points per run; memory stays bounded by it whatever N is.
    """

    name = "onnxruntime"

    def __init__(
        self, path, manifest: dict, threads: int | None = None, batch_size: int = BATCH_SIZE
    ):
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise MapEngineError("onnxruntime is not installed") from exc
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.path = Path(path)
        self.latent_dim = int(manifest["latent_dim"])
        self.conditional = bool(manifest["conditional"])
        self.batch_size = batch_size
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads or available_cores())
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: on cores shared with other work (a
        # training run) spinning threads starve each other; measured 2 threads at load
        # 6-7: 214 images/s spinning, 438 not (benchmarks/README.md).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self.session = ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own (unexported) types
            raise MapEngineError(
                f"onnxruntime cannot load {self.path.name} ({type(exc).__name__}: {exc})"
            ) from exc
        inputs = {i.name: i for i in self.session.get_inputs()}
        outputs = {o.name: o for o in self.session.get_outputs()}
        if "z" not in inputs or "probs" not in outputs:
            raise MapEngineError(f"{self.path.name} is not a generator + classifier graph")
        self.classes = _class_count(self.path.name, manifest, outputs["probs"].shape)
        if self.conditional and "label" not in inputs:
            raise MapEngineError(f"{self.path.name} has no label input for a conditional model")
        self._label_dtype = (
            _DTYPES.get(inputs["label"].type, np.int32) if self.conditional else None
        )
        # No edit: keep every unit (ones), set nothing (zeros); a batch of one broadcasts.
        self._masks = {}
        for layer in manifest["layers"]:
            shape = (1, *(int(d) for d in layer["shape"]))
            for prefix, fill in (("keep", np.ones), ("set", np.zeros)):
                name = f"{prefix}_{layer['name']}"
                if name not in inputs:
                    raise MapEngineError(f"{self.path.name} has no input {name}")
                self._masks[name] = fill(shape, np.float32)

    @classmethod
    def for_explorer(cls, explorer, folder=None, **kwargs) -> OnnxMapEngine:
        """The engine of a LatentExplorer's generator + classifier, exporting the graph into
        ``folder`` (default: the map cache's ``browser-models``) unless it is there; raises
        MapEngineError (with the reason) when the model cannot be exported."""
        from gan_core.browser_model import BrowserModelError

        try:
            model = explorer.browser_model(folder)
        except BrowserModelError as exc:
            raise MapEngineError(str(exc)) from exc
        except OSError as exc:  # e.g. a read-only cache folder: the graph cannot be written
            raise MapEngineError(f"cannot write the exported graph: {exc}") from exc
        return cls(model.path, model.manifest, **kwargs)

    def probs(
        self, latents, labels=None, progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        """(N, K) float32 probabilities for ``latents`` (N, d) (and ``labels`` (N,), one
        per point, for a conditional model); ``progress(done, total)`` after each batch."""
        latents = np.asarray(latents, np.float32)
        if latents.ndim != 2 or latents.shape[1] != self.latent_dim:
            raise ValueError(f"latents must be (N, {self.latent_dim}), got shape {latents.shape}")
        if self.conditional:
            if labels is None:
                raise ValueError("a conditional model needs one label per latent point")
            labels = np.asarray(labels).reshape(-1, 1).astype(self._label_dtype)
            if len(labels) != len(latents):
                raise ValueError(f"{len(labels)} labels for {len(latents)} latent points")
        elif labels is not None:
            raise ValueError("this model is not conditional: it takes no labels")
        total = len(latents)
        out = np.empty((total, self.classes), np.float32)
        for start in range(0, total, self.batch_size):
            stop = min(start + self.batch_size, total)
            feed = {"z": latents[start:stop], **self._masks}
            if self.conditional:
                feed["label"] = labels[start:stop]
            out[start:stop] = self.session.run(["probs"], feed)[0]
            if progress is not None:
                progress(stop, total)
        return out


def _class_count(name: str, manifest: dict, probs_shape) -> int:
    """K: the manifest's ``classes`` (a graph exported before it had one: the graph's own
    probs width), which must agree with the graph's."""
    width = probs_shape[-1] if probs_shape else None
    width = width if isinstance(width, int) else None
    k = manifest.get("classes", width)
    if not isinstance(k, int) or k < 1 or (width is not None and width != k):
        raise MapEngineError(
            f"{name}: its probabilities have {width} classes, its manifest says {k!r}"
        )
    return k
