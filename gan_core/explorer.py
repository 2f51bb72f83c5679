"""One object per model that answers everything the explorer asks, with maps cached on disk."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gan_core.activations import Edit, EditResult, GeneratorProbe
from gan_core.cache import MapCache
from gan_core.checkpoints import (
    CheckpointError,
    GeneratorCheckpoint,
    load_generator,
)
from gan_core.grids import CUBE_POINTS, MAP_2D_POINTS, generate_images
from gan_core.interpolation import MorphResult, morph
from gan_core.labelling import class_name
from gan_core.latent import (
    ClassMap,
    LatentInputError,
    class_area_cube,
    class_area_grid,
    class_area_slice,
    fourth_axis_values,
    snap_fourth,
    validate_label,
    validate_point,
)

log = logging.getLogger(__name__)


@dataclass
class PointProbe:
    """What one latent point shows: image, every layer's activations, the class probabilities.

    Attributes:
        z: (d,) the latent point.
        label: the CGAN label, or None.
        image: the squeezed image in [-1, 1]: grey (H, W), colour (H, W, 3).
        activations: every shown layer's output (gan_core.activations.GeneratorProbe).
        probs: (K,) the classifier's probabilities over the model's K classes.
        class_names: the K names (``LatentExplorer.class_names``); empty when unknown.
    """

    z: np.ndarray
    label: int | None
    image: np.ndarray
    activations: dict[str, np.ndarray]
    probs: np.ndarray
    class_names: tuple[str, ...] = ()

    @property
    def class_index(self) -> int:
        """The most probable class (0..K-1)."""
        return int(np.argmax(self.probs))

    @property
    def digit(self) -> int:
        """The most probable class, as the digit views name it (= :attr:`class_index`)."""
        return self.class_index

    @property
    def class_name(self) -> str:
        """The most probable class's name ("7", "Sneaker", "red")."""
        return class_name(self.class_index, self.class_names, len(self.probs))


@dataclass(frozen=True)
class MapRequest:
    """One precomputable map of a model: its 2D grid (kind "map") or a cube, for a label
    (CGAN) and a 4th coordinate (4D, already snapped to a precomputed value); or the map
    of a plane through the latent space (kind "slice", ``slice`` its spec)."""

    kind: str  # "map", "cube" or "slice"
    n: int
    label: int | None = None
    w: float | None = None
    slice: str | None = None

    @property
    def name(self) -> str:
        if self.kind == "slice":
            text = f"slice {self.slice} {self.n}x{self.n}"
        elif self.kind == "map":
            text = f"2D grid {self.n}x{self.n}"
        else:
            text = f"cube {self.n}^3" + ("" if self.w is None else f" w={self.w:+.3f}")
        return text + ("" if self.label is None else f" label {self.label}")


class LatentExplorer:
    """A loaded generator + the classifier that colours its maps + the map cache."""

    def __init__(
        self, checkpoint: GeneratorCheckpoint, classifier, classifier_file, cache: MapCache,
        labelling=None,
    ):  # fmt: skip
        from gan_core.labelling import Labelling, class_names_or_default, image_shape_of

        self.checkpoint = checkpoint
        self.image_shape = image_shape_of(checkpoint.generator.outputs[0].shape)
        n = int(classifier.outputs[0].shape[-1])
        # Who colours the maps and what their classes are called (gan_core.labelling).
        self.labelling = labelling or Labelling(
            Path(classifier_file), tuple(class_names_or_default(None, n)), "the classifier", None
        )
        self.class_names = list(self.labelling.class_names)
        self.model_id = checkpoint.model_id
        self.config = checkpoint.config
        self.latent_dim = checkpoint.config.latent_dim
        self.conditional = checkpoint.config.conditional
        self.generator = checkpoint.generator
        self.classifier = classifier
        self.classifier_file = classifier_file
        self.cache = cache
        self.probe = GeneratorProbe(self.generator, classifier, self.prior.bounds)
        self._realism: dict = {}
        self._engine = None  # the ONNX map engine, made on the first slice map
        self._engine_error: str | None = None  # why there is none (then TensorFlow maps)
        self._engine_lock = threading.Lock()

    @classmethod
    def from_checkpoint(
        cls, model_id: str, root: str | os.PathLike | None = None, cache_dir=None,
        cache: MapCache | None = None,
    ) -> LatentExplorer:  # fmt: skip
        from gan_core.checkpoints import load_keras_model
        from gan_core.labelling import check_classifier, image_shape_of, model_labelling

        ckpt = load_generator(model_id, root)
        shape = image_shape_of(ckpt.generator.outputs[0].shape, ckpt.generator_file)
        labelling = model_labelling(ckpt.path, ckpt.config, shape, root)
        classifier = load_keras_model(labelling.classifier_file)
        names = check_classifier(classifier, shape, list(labelling.class_names) or None,
                                 labelling.classifier_file)  # fmt: skip
        labelling = dataclasses.replace(labelling, class_names=tuple(names))
        return cls(ckpt, classifier, labelling.classifier_file, cache or MapCache(cache_dir),
                   labelling)  # fmt: skip

    @property
    def dataset(self):
        """The bundled dataset this model was trained on or is coloured by (DatasetInfo), or
        None for a model with its own classifier."""
        from gan_core.datasets import dataset_info

        return None if self.labelling.own else dataset_info(self.labelling.dataset)

    def browser_model(self, folder=None):
        """This generator + the classifier as the ONNX graph the page runs (see
        gan_core.browser_model), exported once per content into ``folder`` (default: the
        map cache's ``browser-models`` folder)."""
        from gan_core.browser_model import export_browser_model

        folder = Path(folder) if folder is not None else self.cache.directory / "browser-models"
        return export_browser_model(self.generator, self.classifier, self.checkpoint.generator_file,
                                    self.classifier_file, folder, self.model_id)  # fmt: skip

    # ---- single points -------------------------------------------------------------
    @property
    def _files(self):
        return [self.checkpoint.generator_file, self.classifier_file]

    def image(self, z, label=None) -> np.ndarray:
        """The squeezed image in [-1, 1] generated at ``z``: grey (H, W), colour (H, W, 3)."""
        from gan_core.images import squeeze

        z = validate_point(z, self.latent_dim, *self.prior.bounds)
        label = validate_label(label, self.conditional)
        labels = None if label is None else np.array([label], np.int32)
        return squeeze(generate_images(self.generator, z[None], labels)[0])

    def probe_point(self, z, label=None) -> PointProbe:
        """Image + all activations + the classifier's probabilities, from one compiled call."""
        z = validate_point(z, self.latent_dim, *self.prior.bounds)
        label = validate_label(label, self.conditional)
        out = self.probe.probe(z, label)
        return PointProbe(z, label, out["image"], out["activations"], out["probs"],
                          tuple(self.class_names))  # fmt: skip

    @property
    def n_classes(self) -> int:
        """K, the number of classes the classifier tells apart."""
        return len(self.class_names)

    def class_name(self, index: int) -> str:
        """The name of class ``index`` (its index as text beyond the classifier's K)."""
        return class_name(index, self.class_names)

    def edit(self, z, edits: list[Edit], label=None) -> EditResult:
        return self.probe.edit(z, edits, label)

    def morph(self, points, frames: int = 24, mode: str = "linear", label=None) -> MorphResult:
        return morph(self.generator, self.classifier, points, frames, mode, label,
                     self.prior.bounds)  # fmt: skip

    # ---- maps ------------------------------------------------------------------------
    def _map_2d_request(self, n, fixed, label):
        label = validate_label(label, self.conditional)
        fixed = tuple(float(v) for v in fixed)
        return "grid2d", {"n": int(n), "fixed": fixed, "label": label}

    def _cube_request(self, n, w, label):
        label = validate_label(label, self.conditional)
        if self.latent_dim < 3:
            raise LatentInputError(
                f"model {self.model_id} has a {self.latent_dim}D latent space: no cube"
            )
        if self.latent_dim == 3:
            if w is not None:
                raise LatentInputError("a 3D model has no 4th coordinate")
            fixed: tuple = ()
        elif self.latent_dim == 4:
            _, w_snapped = snap_fourth(0.0 if w is None else w, n)
            fixed = (w_snapped,)
        else:
            raise LatentInputError(f"cubes are for 3D and 4D latent spaces, not {self.latent_dim}D")
        return "cube", {"n": int(n), "fixed": fixed, "label": label}

    def is_cached(self, kind: str, n: int, w=None, label=None, fixed=()) -> bool:
        """Whether the 2D map (kind "grid2d") or the cube is already in the cache."""
        req = (
            self._map_2d_request(n, fixed, label)
            if kind == "grid2d"
            else self._cube_request(n, w, label)
        )
        return self.cache.contains(req[0], req[1], self._files)

    def map_2d(self, n: int = MAP_2D_POINTS, fixed=(), label=None, progress=None) -> ClassMap:
        """2D class map over (z0, z1); higher-dimensional models need ``fixed`` coordinates."""
        kind, params = self._map_2d_request(n, fixed, label)
        return self.cache.get_or_compute(
            kind, params, self._files,
            lambda: class_area_grid(self.generator, self.classifier, n, fixed=params["fixed"],
                                    label=params["label"], progress=progress),
        )  # fmt: skip

    def cube(
        self, n: int = CUBE_POINTS, w: float | None = None, label=None, progress=None
    ) -> ClassMap:
        """3D class cube; for 4D models at the precomputed 4th-coordinate value nearest ``w``."""
        kind, params = self._cube_request(n, w, label)
        return self.cache.get_or_compute(
            kind, params, self._files,
            lambda: class_area_cube(self.generator, self.classifier, n, fixed=params["fixed"],
                                    label=params["label"], progress=progress),
        )  # fmt: skip

    @property
    def prior(self):
        from gan_core.priors import model_prior

        return model_prior(self.config)

    def latent_slice(self, spec: str | None = None, k: int = 2):
        """The slice ``spec`` names in this model's latent space (default: the model's
        default slice), or SliceError."""
        from gan_core.slices import default_spec, parse_slice

        return parse_slice(spec or default_spec(self.latent_dim), self.latent_dim, self.prior, k,
                           generator=self.generator)  # fmt: skip

    def map_engine(self):
        """The ONNX Runtime engine that draws this model's slice maps (gan_core.map_engine,
        its graph exported once into the cache's ``browser-models``), or None when the
        model cannot be exported, onnxruntime is missing or $GAN_EXPLORER_MAP_ENGINE says
        "tensorflow" (``map_engine_error`` then says why): slice maps use TensorFlow."""
        from gan_core.map_engine import MapEngineError, OnnxMapEngine, engine_wanted

        if not engine_wanted():
            return None
        with self._engine_lock:
            if self._engine is None and self._engine_error is None:
                try:
                    self._engine = OnnxMapEngine.for_explorer(self)
                except MapEngineError as exc:
                    self._engine_error = str(exc)
                    log.warning("%s: slice maps on TensorFlow: %s", self.model_id, exc)
            return self._engine

    @property
    def map_engine_error(self) -> str | None:
        return self._engine_error

    def slice_map(
        self, latent_slice, n: int = MAP_2D_POINTS, label=None, progress=None
    ) -> ClassMap:
        """The class map on ``latent_slice`` (a plane: n x n; a cube: n^3), cached; drawn by
        :meth:`map_engine` (ONNX Runtime) where it runs, else with TensorFlow. The two
        agree to 1e-4 in probability, so a map in the cache serves either."""
        label = validate_label(label, self.conditional)
        params = {"n": int(n), "label": label, **latent_slice.cache_params()}

        def compute():
            engine = self.map_engine()
            return class_area_slice(self.generator, self.classifier, latent_slice, n,
                                    label=label, progress=progress,
                                    classify=None if engine is None else engine.probs)  # fmt: skip

        cmap = self.cache.get_or_compute(f"slice{latent_slice.k}", params, self._files, compute)
        cmap.meta["slice"] = latent_slice.to_dict()
        return cmap

    def slice_map_cached(self, latent_slice, n: int = MAP_2D_POINTS, label=None) -> bool:
        label = validate_label(label, self.conditional)
        params = {"n": int(n), "label": label, **latent_slice.cache_params()}
        return self.cache.contains(f"slice{latent_slice.k}", params, self._files)

    def view_request(
        self, n2d: int = MAP_2D_POINTS, n3d: int = CUBE_POINTS, w=None, label=None, point=None
    ) -> MapRequest:
        """The map a view of this model shows: the 2D grid for 2D models, else the cube (for
        4D at the precomputed 4th-coordinate value nearest ``w``, or nearest the 4th
        coordinate of ``point``, the latent point the view is around)."""
        label = validate_label(label, self.conditional)
        if point is not None and self.latent_dim == 4:
            w = float(point[3])
        if self.latent_dim == 2:
            return MapRequest("map", int(n2d), label)
        _, params = self._cube_request(n3d, w, label)
        return MapRequest("cube", int(n3d), label, params["fixed"][0] if params["fixed"] else None)

    def is_ready(self, request: MapRequest) -> bool:
        """Whether ``request``'s map is in the cache already."""
        if request.kind == "slice":
            return self.slice_map_cached(self.latent_slice(request.slice), request.n, request.label)
        if request.kind == "map":
            return self.is_cached("grid2d", request.n, label=request.label)
        return self.is_cached("cube", request.n, w=request.w, label=request.label)

    def compute(self, request: MapRequest, progress=None) -> ClassMap:
        """The map of ``request``, from the cache or computed (``progress(done, total)``)."""
        if request.kind == "slice":
            plane = self.latent_slice(request.slice)
            return self.slice_map(plane, request.n, label=request.label, progress=progress)
        if request.kind == "map":
            return self.map_2d(request.n, label=request.label, progress=progress)
        return self.cube(request.n, w=request.w, label=request.label, progress=progress)

    def default_map(
        self, n2d: int = MAP_2D_POINTS, n3d: int = CUBE_POINTS, w=None, label=None, point=None
    ):
        """The model's main map: the 2D grid for 2D models, else the cube (see view_request)."""
        return self.compute(self.view_request(n2d, n3d, w, label, point))

    def map_requests(self, n2d: int = MAP_2D_POINTS, n3d: int = CUBE_POINTS) -> list[MapRequest]:
        """Every map precompute fills: 2D grid; 3D cube; 4D one cube per w; CGAN one per
        label; above 4-D the map of the default plane (the one its pages open on)."""
        from gan_core.slices import default_spec

        labels = range(10) if self.conditional else [None]
        if self.latent_dim > 4:
            spec = default_spec(self.latent_dim)
            return [MapRequest("slice", n2d, lab, slice=spec) for lab in labels]
        if self.latent_dim == 2:
            return [MapRequest("map", n2d, lab) for lab in labels]
        if self.latent_dim == 3:
            return [MapRequest("cube", n3d, lab) for lab in labels]
        if self.latent_dim == 4:
            return [
                MapRequest("cube", n3d, lab, float(w))
                for lab in labels
                for w in fourth_axis_values(n3d)
            ]
        return []

    def map_jobs(
        self, n2d: int = MAP_2D_POINTS, n3d: int = CUBE_POINTS
    ) -> list[tuple[str, Callable]]:
        """(name, compute) for every map of :meth:`map_requests`."""
        return [(r.name, lambda r=r: self.compute(r)) for r in self.map_requests(n2d, n3d)]

    def all_maps(
        self, n2d: int = MAP_2D_POINTS, n3d: int = CUBE_POINTS, progress=None, on_map=None
    ) -> list[dict]:
        """Compute (or load) every map of :meth:`map_jobs`.

        Args:
            progress: ``progress(done, total, name)`` after each map.
            on_map: ``on_map(row)`` after each map with its report row.
        Returns:
            One row per map: {"map": name, "seconds": float, "cached": bool}.
        """
        jobs = self.map_jobs(n2d, n3d)
        report = []
        for i, (name, job) in enumerate(jobs):
            hits = self.cache.hits
            start = time.perf_counter()
            job()
            row = {"map": name, "seconds": round(time.perf_counter() - start, 3),
                   "cached": self.cache.hits > hits}  # fmt: skip
            report.append(row)
            if on_map is not None:
                on_map(row)
            if progress is not None:
                progress(i + 1, len(jobs), name)
        return report

    def realism_map(self, n: int = 40, label=None) -> tuple[np.ndarray, tuple]:
        """(the discriminator's realism score on an n x n grid over (z0, z1), the axes),
        computed once per process and kept: the grid the explorer colours by realism."""
        key = (int(n), validate_label(label, self.conditional))
        if key not in self._realism:
            from gan_core.grids import axis_values

            values = self.realism_grid(n, label=key[1])
            self._realism[key] = (values, (axis_values(n), axis_values(n)))
        return self._realism[key]

    def realism_grid(self, n: int = 32, fixed=(), label=None, discriminator=None) -> np.ndarray:
        """The discriminator's realism score sigmoid(D(G(z))) on an n x n grid over (z0, z1)."""
        from gan_core.checkpoints import load_discriminator
        from gan_core.grids import grid_points

        label = validate_label(label, self.conditional)
        disc = discriminator or load_discriminator(self.model_id, self.checkpoint.path.parent)
        pts = grid_points(n, 2, fixed=tuple(fixed))
        labels = None if label is None else np.full((len(pts), 1), label, np.int32)
        images = generate_images(self.generator, pts, None if labels is None else labels[:, 0])
        from gan_core.recipe import RecipeError, discriminator_view, recorded_recipe

        # The discriminator was trained on images seen through the recipe's intensity curve.
        try:
            recipe = recorded_recipe(self.config)
        except (RecipeError, TypeError) as exc:
            raise CheckpointError(
                f"{self.checkpoint.path / 'config.json'}: bad recipe: {exc}"
            ) from exc
        images = np.asarray(discriminator_view(images, recipe.d_input_gain, recipe.d_input_linear))
        logits = np.asarray(disc(images if labels is None else [images, labels], training=False))
        return (1.0 / (1.0 + np.exp(-logits[:, 0]))).reshape(n, n)
