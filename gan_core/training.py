"""Resumable GAN/CGAN training with the study's monitoring.

Per epoch it records, under ``checkpoints/<id>/history/``:
- ``losses.csv``: epoch, mean G and D loss, D accuracy on real and fake, seconds;
- ``samples.npz``: images of one fixed noise batch (uint8, E x 36 x 28 x 28);
- ``class_maps.npz``: the digit class (and its probability) at every point of the
  monitoring grid (see :func:`monitor_grid`);
- ``weak_classifier.csv`` every ``weak_every`` epochs: accuracy of a small real-vs-fake
  classifier trained briefly (near 50% is good);
- ``tensorboard/``: loss scalars and sample images.
After the records, the full training state (G, D, both optimizers, epoch, fixed noise)
goes to ``train_state.npz`` atomically, then ``generator.keras``/``discriminator.keras``/
``config.json``. A kill at any moment loses at most the epoch in progress.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gan_core.checkpoints import (
    CheckpointError,
    ModelConfig,
    atomic_write_bytes,
    atomic_write_json,
    load_config,
    resolve_model_dir,
    save_keras_model,
)
from gan_core.constants import BN_SAMPLES, PRECISIONS
from gan_core.grids import classify_latents, generate_images, grid_points
from gan_core.priors import UNIFORM, Prior, model_prior
from gan_core.recipe import (
    Recipe,
    RecipeError,
    adversarial_losses,
    discriminator_view,
    recompute_batchnorm_statistics,
    recorded_recipe,
)
from gan_core.slices import default_spec, parse_slice

STATE_FILE = "train_state.npz"
RNG_PREFIX = "rng"
# CPU flags of the instruction sets that compute bfloat16 natively.
_BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_native_bfloat16(cpuinfo: str) -> bool:
    """Whether a /proc/cpuinfo text names an instruction set with native bfloat16."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags" and any(f in value.split() for f in _BF16_CPU_FLAGS):
            return True
    return False


def backend_device() -> str:
    """(Keras backend, device kind) as "tensorflow/cpu", "jax/gpu", ...: where training runs."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        gpu = jax.default_backend() == "gpu"
    else:
        import tensorflow as tf

        gpu = bool(tf.config.list_physical_devices("GPU"))
    return f"{backend}/{'gpu' if gpu else 'cpu'}"


def native_bfloat16() -> bool:
    """Whether this machine computes bfloat16 natively: a visible GPU, or a CPU with
    AVX512-BF16 or AMX-BF16. Elsewhere TensorFlow emulates it, ~10x slower than float32
    (benchmarks/train_step.py on an AVX2-only CPU)."""
    if backend_device().endswith("/gpu"):
        return True
    try:
        return cpu_has_native_bfloat16(Path("/proc/cpuinfo").read_text())
    except OSError:
        return False


def resolve_precision(requested: str, saved: str | None = None, native: bool | None = None) -> str:
    """The compute precision to train in. An explicit float32 or mixed_bfloat16 wins;
    "auto" keeps a resumed run's ``saved`` precision where this machine supports it and
    otherwise takes mixed_bfloat16 only with native bfloat16 (``native``; None: this
    machine's, see native_bfloat16)."""
    if requested not in PRECISIONS:
        raise TrainingError(f"precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested != "auto":
        return requested
    if native is None:
        native = native_bfloat16()
    if saved == "float32" or (saved == "mixed_bfloat16" and native):
        return saved
    return "mixed_bfloat16" if native else "float32"


N_FIXED = 36


class TrainingError(RuntimeError):
    """Training cannot start or resume as asked."""


def _rng_states(model) -> list:
    """A model's random-number state variables (its dropout layers' seed generators), which
    ``model.weights`` leaves out."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


@dataclass
class TrainSettings:
    """How to train one model; the persistent part goes to config.json."""

    model_id: str
    latent_dim: int = 2
    conditional: bool = False
    activation: str = "leaky_relu"
    epochs: int = 30
    batch_size: int = 64
    recipe: Recipe = field(default_factory=Recipe)
    seed: int = 0
    mixed_precision: str = "auto"  # see resolve_precision
    limit_images: int | None = None  # train on the first N images (tests, smoke runs)
    weak_every: int = 10
    map_points: int | None = None  # override the monitoring grid size (tests)
    bn_samples: int = BN_SAMPLES  # prior samples for the averaged generator's BatchNorm stats
    root: str | None = None
    prior: Prior = UNIFORM  # the latent prior (gan_core.priors)

    def model_config(self, epochs_trained: int, data_source: str) -> ModelConfig:
        return ModelConfig(
            latent_dim=self.latent_dim,
            conditional=self.conditional,
            activation=self.activation,
            epochs_trained=epochs_trained,
            prior=self.prior.spec,
            data_source=data_source,
            seed=self.seed,
            batch_size=self.batch_size,
            learning_rate=self.recipe.g_learning_rate,
            beta_1=self.recipe.beta_1,
            mixed_precision=self.mixed_precision,
            recipe=self.recipe.to_json(),
        )


def monitor_grid(
    latent_dim: int, conditional: bool, points: int | None = None, prior: Prior = UNIFORM
):
    """The per-epoch class-map grid: (latents, labels or None, shape, description).

    2D: the full 100 x 100 map. 3D: the full 16^3 cube. 4D: a coarser 8^4 grid (every 4th
    coordinate value has its own 8^3 cube). CGAN: an 8^3 cube per label, shape (10, 8, 8, 8).
    Above 4-D: a 100 x 100 map on the model's default slice (gan_core.slices).
    Higher resolutions are the explorer's job (gan_core.explorer); these keep monitoring under ~10 s/epoch.
    """
    if latent_dim > 4 and not conditional:
        n = points or 100
        plane = parse_slice(default_spec(latent_dim), latent_dim, prior)
        return plane.grid(n), None, (n, n), plane.describe(n)
    if conditional:
        n = points or 8
        cube = grid_points(n, latent_dim)
        latents = np.tile(cube, (10, 1))
        labels = np.repeat(np.arange(10, dtype=np.int32), len(cube))
        return (
            latents,
            labels,
            (10,) + (n,) * latent_dim,
            f"label x {n}^{latent_dim} cube on [-1,1]",
        )
    if latent_dim == 2:
        n = points or 100
    elif latent_dim == 3:
        n = points or 16
    else:
        n = points or 8
    return grid_points(n, latent_dim), None, (n,) * latent_dim, f"{n}^{latent_dim} grid on [-1,1]"


def _to_uint8(images: np.ndarray) -> np.ndarray:
    return np.clip((images[..., 0] + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


class GanTrainer:
    """Builds or restores a GAN, trains it epoch by epoch and writes the monitoring records."""

    def __init__(self, settings: TrainSettings, mnist, classifier=None, resume: bool = False):
        import keras

        from gan_core.models import build_gan_pair

        self.s = settings
        self.notes: list[str] = []  # what a person should know about this run's set-up
        self.dir = resolve_model_dir(settings.model_id, settings.root)
        self.hist = self.dir / "history"
        state_path = self.dir / STATE_FILE
        if resume:
            if not state_path.is_file():
                raise TrainingError(
                    f"nothing to resume: {state_path} does not exist (start without --resume)"
                )
            cfg = load_config(self.dir)
            self._adopt_config(cfg)
        elif state_path.exists() or (self.dir / "generator.keras").exists():
            raise TrainingError(
                f"{self.dir} already holds a model; use --resume to continue it or pick a new id"
            )
        else:
            settings.mixed_precision = resolve_precision(settings.mixed_precision)

        self.x = mnist.x_train[: settings.limit_images] if settings.limit_images else mnist.x_train
        self.y = mnist.y_train[: len(self.x)]
        self.data_source = Path(mnist.source).name
        self.classifier = classifier
        if settings.bn_samples < 1:
            raise TrainingError(
                f"the BatchNorm statistics need at least 1 prior sample, not {settings.bn_samples}"
            )
        if settings.map_points is not None and settings.map_points < 2:
            raise TrainingError(
                f"a class map needs at least 2 points per axis, not {settings.map_points}"
            )
        if len(self.x) < settings.batch_size:
            raise TrainingError(
                f"need at least one batch: {len(self.x)} images < batch {settings.batch_size}"
            )

        keras.mixed_precision.set_global_policy(settings.mixed_precision)
        try:
            keras.utils.set_random_seed(settings.seed)
            self.generator, self.discriminator = build_gan_pair(
                settings.latent_dim, settings.conditional, settings.activation
            )
        finally:
            keras.mixed_precision.set_global_policy("float32")
        r = settings.recipe
        self.g_opt = keras.optimizers.Adam(r.g_learning_rate, beta_1=r.beta_1)
        self.d_opt = keras.optimizers.Adam(r.d_learning_rate, beta_1=r.beta_1)
        self.g_opt.build(self.generator.trainable_variables)
        self.d_opt.build(self.discriminator.trainable_variables)
        # The averaged generator (float32): monitored, saved and served when EMA is on.
        self.ema = None
        if r.uses_ema:
            self.ema, _ = build_gan_pair(
                settings.latent_dim, settings.conditional, settings.activation
            )
            self.ema.set_weights([np.asarray(w, np.float32) for w in self.generator.get_weights()])

        rng = np.random.default_rng(settings.seed)
        self.fixed_noise = settings.prior.sample(N_FIXED, settings.latent_dim, rng)
        self.fixed_labels = (np.arange(N_FIXED) % 10).astype(np.int32)
        self.epoch = 0
        if resume:
            self._load_state(state_path)
            self._truncate_history(self.epoch)
            self._adopt_map_points()
        self._step_fn = self._make_step()
        r = settings.recipe
        self._penalty_fn = self._make_penalty_step() if r.r1_gamma else None
        self.map_latents, self.map_labels, self.map_shape, self.map_desc = monitor_grid(
            settings.latent_dim, settings.conditional, settings.map_points, settings.prior
        )
        self._writer = None

    def _adopt_config(self, cfg: ModelConfig) -> None:
        """On resume the saved architecture wins over command-line defaults."""
        s = self.s
        s.latent_dim, s.conditional, s.activation = cfg.latent_dim, cfg.conditional, cfg.activation
        s.seed, s.batch_size = cfg.seed, cfg.batch_size
        try:
            s.prior = model_prior(cfg)
        except ValueError as exc:
            raise TrainingError(f"{self.dir / 'config.json'}: {exc}") from exc
        saved, requested = cfg.mixed_precision, s.mixed_precision
        s.mixed_precision = resolve_precision(requested, saved)
        if s.mixed_precision != saved:
            why = " (this machine has no native bfloat16)" if requested == "auto" else ""
            self.notes.append(
                f"training continues in {s.mixed_precision}, not the saved {saved}{why}"
            )
        try:
            s.recipe = recorded_recipe(cfg)
        except (RecipeError, TypeError) as exc:
            raise TrainingError(f"{self.dir / 'config.json'}: bad recipe: {exc}") from exc

    @property
    def tf(self):
        """TensorFlow, imported only by the steps that run on it."""
        import tensorflow as tf

        return tf

    @property
    def served_generator(self):
        """The generator that is monitored, saved and served: the EMA one when it exists."""
        return self.ema if self.ema is not None else self.generator

    # ---- the compiled steps ------------------------------------------------------------
    def _make_step(self, jit_compile: bool = False):
        """The compiled training step. XLA (``jit_compile``) is off: on this CPU it ran a
        bf16 step 2.4x slower than the plain graph (benchmarks/train_step.py --xla).

        One generator forward serves both losses. For a CGAN with ``matching_aware`` the
        real images paired with a wrong label are a third, "fake" term of D's loss; the
        label-margin penalty joins G's loss. With EMA on, the averaged weights move by
        ``ema_beta`` after the update."""
        tf = self.tf
        G, D = self.generator, self.discriminator
        g_opt, d_opt = self.g_opt, self.d_opt
        conditional = self.s.conditional
        d = self.s.latent_dim
        seed = self.s.seed
        recipe = self.s.recipe
        matching_aware = conditional and recipe.matching_aware
        margin_weight = recipe.label_margin_weight if conditional else 0.0
        embedding = G.get_layer("label_embedding").embeddings if conditional else None
        label_embedding = embedding if margin_weight else None
        ema_pairs = (
            list(zip(self.ema.trainable_variables, G.trainable_variables)) if self.ema else []
        )

        gain, linear = recipe.d_input_gain, recipe.d_input_linear

        def logits_of(images, lab):
            images = discriminator_view(images, gain, linear)
            return tf.cast(D([images, lab] if conditional else images, training=True), tf.float32)

        prior_noise = tf_prior_sampler(self.s.prior)

        @tf.function(reduce_retracing=True, jit_compile=jit_compile)
        def step(real, labels, step_index, ema_beta):
            n = tf.shape(real)[0]
            step_seed = tf.stack([tf.constant(seed, tf.int64), step_index])
            z = prior_noise((n, d), step_seed)
            lab = tf.reshape(labels, (-1, 1))
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = G([z, lab] if conditional else z, training=True)
                real_logits = logits_of(real, lab)
                fake_logits = logits_of(fake, lab)
                wrong_logits = None
                if matching_aware:
                    shift = tf.random.stateless_uniform(
                        tf.shape(lab), seed=step_seed + 1, minval=1, maxval=10, dtype=tf.int32
                    )
                    wrong_logits = logits_of(real, (lab + shift) % 10)
                d_loss, g_loss = adversarial_losses(real_logits, fake_logits, wrong_logits)
                g_total = g_loss
                if label_embedding is not None:
                    short = tf.nn.relu(recipe.label_margin - tf.abs(label_embedding))
                    g_total += margin_weight * tf.reduce_mean(short)
            g_opt.apply_gradients(
                zip(g_tape.gradient(g_total, G.trainable_variables), G.trainable_variables)
            )
            d_opt.apply_gradients(
                zip(d_tape.gradient(d_loss, D.trainable_variables), D.trainable_variables)
            )
            for ema_var, var in ema_pairs:
                ema_var.assign(ema_beta * ema_var + (1.0 - ema_beta) * tf.cast(var, tf.float32))
            real_acc = tf.reduce_mean(tf.cast(real_logits > 0, tf.float32))
            fake_acc = tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32))
            return g_loss, d_loss, real_acc, fake_acc

        return step

    def _make_penalty_step(self):
        """Lazy R1: every ``r1_every`` steps, one D update on ``r1_every * gamma / 2 *
        E|grad_x D(x)|^2`` over real images; the penalty's weight makes up for its rarity."""
        tf = self.tf
        D, d_opt = self.discriminator, self.d_opt
        conditional = self.s.conditional
        recipe = self.s.recipe
        r1_weight = 0.5 * recipe.r1_gamma * recipe.r1_every
        gain, linear = recipe.d_input_gain, recipe.d_input_linear

        def gradient_norm(images, lab):
            images = discriminator_view(tf.cast(images, tf.float32), gain, linear)
            with tf.GradientTape() as x_tape:
                x_tape.watch(images)
                logits = tf.cast(
                    D([images, lab] if conditional else images, training=True), tf.float32
                )
                total = tf.reduce_sum(logits)
            grad = tf.cast(x_tape.gradient(total, images), tf.float32)
            return tf.reduce_mean(tf.reduce_sum(tf.square(grad), axis=[1, 2, 3]))

        @tf.function(reduce_retracing=True)
        def penalty_step(real, labels, step_index):
            lab = tf.reshape(labels, (-1, 1))
            with tf.GradientTape() as d_tape:
                r1 = gradient_norm(real, lab)
                loss = r1_weight * r1
            grads = d_tape.gradient(loss, D.trainable_variables)
            # The output bias does not move the input gradient: it gets no update.
            d_opt.apply_gradients(
                [(g, v) for g, v in zip(grads, D.trainable_variables) if g is not None]
            )
            return r1

        return penalty_step

    def dataset(self, epoch: int):
        """This epoch's shuffled batches; the order depends only on (seed, epoch)."""
        tf = self.tf
        ds = tf.data.Dataset.from_tensor_slices((self.x, self.y))
        ds = ds.shuffle(
            len(self.x), seed=self.s.seed * 100_003 + epoch, reshuffle_each_iteration=False
        )
        return ds.batch(self.s.batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)

    @property
    def steps_per_epoch(self) -> int:
        return len(self.x) // self.s.batch_size

    # ---- the loop ----------------------------------------------------------------------
    def train(
        self, epochs: int, progress: bool = True, on_epoch=None, stop_at: int | None = None
    ) -> list[dict[str, Any]]:
        """Train until ``epochs`` epochs are done in total (the learning-rate schedule's
        length), or only until ``stop_at`` of them; returns this call's epoch records."""
        from tqdm.auto import tqdm

        records = []
        self.dir.mkdir(parents=True, exist_ok=True)
        end = epochs if stop_at is None else min(int(stop_at), epochs)
        while self.epoch < end:
            epoch = self.epoch + 1
            start = time.time()
            bar = tqdm(
                total=self.steps_per_epoch,
                desc=f"{self.s.model_id} epoch {epoch}/{epochs}",
                disable=not progress,
                unit="step",
                leave=True,
            )
            sums, scale = self._train_epoch(epoch, epochs, bar)
            bar.close()
            means = sums / max(self.steps_per_epoch, 1)
            train_seconds = time.time() - start
            record = {
                "epoch": epoch,
                "g_loss": round(float(means[0]), 5),
                "d_loss": round(float(means[1]), 5),
                "d_real_acc": round(float(means[2]), 4),
                "d_fake_acc": round(float(means[3]), 4),
                "seconds": round(train_seconds, 2),
            }
            if self.ema is not None:  # the same prior samples every epoch: a map that
                # changes is the weights', not the sampling noise of its statistics
                recompute_batchnorm_statistics(
                    self.ema,
                    self.s.latent_dim,
                    self.s.conditional,
                    n=self.s.bn_samples,
                    seed=self.s.seed,
                    prior=self.s.prior,
                )
            record["learning_rate_scale"] = round(scale, 4)
            self._write_epoch_records(epoch, record)
            self.epoch = epoch
            self._save_state()
            self._save_models()
            record["total_seconds"] = round(time.time() - start, 2)
            records.append(record)
            if on_epoch is not None:
                on_epoch(record)
        return records

    def _train_epoch(self, epoch: int, epochs: int, bar) -> tuple[np.ndarray, float]:
        """One epoch of steps: the sums of (G loss, D loss, D accuracy on real, on fake)
        over its steps, and the last step's learning-rate scale."""
        tf = self.tf
        sums = np.zeros(4)
        recipe = self.s.recipe
        steps, scales, betas = self.epoch_schedule(epoch, epochs)
        for i, (real, labels) in enumerate(self.dataset(epoch)):
            global_step, scale, beta = int(steps[i]), float(scales[i]), float(betas[i])
            self.g_opt.learning_rate.assign(recipe.g_learning_rate * scale)
            self.d_opt.learning_rate.assign(recipe.d_learning_rate * scale)
            out = self._step_fn(
                real, labels, tf.constant(global_step, tf.int64), tf.constant(beta, tf.float32)
            )
            if self._penalty_fn is not None and global_step % recipe.r1_every == 0:
                self._penalty_fn(real, labels, tf.constant(global_step, tf.int64))
            sums += np.array([float(v) for v in out])
            if i % 10 == 0:
                bar.set_postfix(g=f"{sums[0] / (i + 1):.3f}", d=f"{sums[1] / (i + 1):.3f}")
            bar.update(1)
        return sums, float(scales[-1])

    def epoch_schedule(self, epoch: int, epochs: int):
        """(global step indices, learning-rate scales, EMA betas) of this epoch's steps in a
        run of ``epochs`` epochs."""
        recipe, per_epoch, batch = self.s.recipe, self.steps_per_epoch, self.s.batch_size
        steps = np.arange((epoch - 1) * per_epoch, epoch * per_epoch)
        scales = [recipe.learning_rate_scale(int(s), epochs * per_epoch) for s in steps]
        betas = [recipe.ema_beta(int(s) * batch, batch, lr_scale=c) for s, c in zip(steps, scales)]
        return steps, np.array(scales), np.array(betas)

    # ---- monitoring --------------------------------------------------------------------
    def _write_epoch_records(self, epoch: int, record: dict[str, Any]) -> None:
        self.hist.mkdir(parents=True, exist_ok=True)
        samples = generate_images(
            self.served_generator,
            self.fixed_noise,
            self.fixed_labels if self.s.conditional else None,
        )
        self._append_npz(
            "samples.npz",
            epoch,
            images=_to_uint8(samples),
            static={"noise": self.fixed_noise, "labels": self.fixed_labels},
        )
        if self.classifier is not None:
            probs = classify_latents(
                self.served_generator, self.classifier, self.map_latents, self.map_labels
            )
            classes = probs.argmax(1).astype(np.uint8).reshape(self.map_shape)
            conf = probs.max(1).astype(np.float16).reshape(self.map_shape)
            self._append_npz(
                "class_maps.npz",
                epoch,
                classes=classes,
                confidence=conf,
                static={"description": np.array(self.map_desc)},
            )
            counts = np.bincount(classes.reshape(-1), minlength=10)
            record["map_classes_present"] = int((counts > 0).sum())
        if self.s.weak_every and epoch % self.s.weak_every == 0:
            from gan_core.evaluation import weak_classifier_accuracy

            acc = weak_classifier_accuracy(
                self.x,
                self.served_generator,
                self.s.latent_dim,
                self.s.conditional,
                seed=epoch,
                prior=self.s.prior,
            )
            record["weak_classifier_acc"] = round(acc, 4)
            self._append_csv("weak_classifier.csv", {"epoch": epoch, "accuracy": round(acc, 4)})
        self._append_csv(
            "losses.csv",
            {
                k: record[k]
                for k in ("epoch", "g_loss", "d_loss", "d_real_acc", "d_fake_acc", "seconds")
            },
        )
        self._tensorboard(epoch, record, samples)

    def _tensorboard(self, epoch, record, samples) -> None:
        tf = self.tf
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(self.hist / "tensorboard"))
        with self._writer.as_default(step=epoch):
            tf.summary.scalar("loss/generator", record["g_loss"])
            tf.summary.scalar("loss/discriminator", record["d_loss"])
            if "weak_classifier_acc" in record:
                tf.summary.scalar("weak_classifier_accuracy", record["weak_classifier_acc"])
            grid = (samples[:36, ..., 0] + 1) / 2
            rows = [np.concatenate(list(grid[r * 6 : r * 6 + 6]), axis=1) for r in range(6)]
            tf.summary.image(
                "fixed_noise_samples", np.concatenate(rows)[None, ..., None], step=epoch
            )
        self._writer.flush()

    def _append_npz(self, name: str, epoch: int, static: dict | None = None, **arrays) -> None:
        path = self.hist / name
        old: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path, allow_pickle=False) as f:
                old = {k: f[k] for k in f.files}
        keep = old["epochs"] < epoch if "epochs" in old else None
        out = {
            "epochs": np.append(old["epochs"][keep], epoch).astype(np.int32)
            if keep is not None
            else np.array([epoch], np.int32)
        }
        for key, value in arrays.items():
            value = np.asarray(value)[None]
            out[key] = np.concatenate([old[key][keep], value]) if key in old else value
        for key, value in (static or {}).items():
            out[key] = np.asarray(value)
        buf = io.BytesIO()
        np.savez_compressed(buf, **out)
        atomic_write_bytes(path, buf.getvalue())

    def _append_csv(self, name: str, row: dict[str, Any]) -> None:
        path = self.hist / name
        rows = read_csv(path) if path.exists() else []
        rows = [r for r in rows if int(r["epoch"]) < int(row["epoch"])] + [row]
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(row.keys()))
        writer.writeheader()
        for r in rows:
            writer.writerow({k: r.get(k, "") for k in row})
        atomic_write_bytes(path, buf.getvalue().encode())

    def _adopt_map_points(self) -> None:
        """A resumed run keeps the class-map grid its history was written with."""
        path = self.hist / "class_maps.npz"
        if not path.exists():
            return
        with np.load(path, allow_pickle=False) as f:
            saved = int(f["classes"].shape[-1])
        if self.s.map_points not in (None, saved):
            raise TrainingError(
                f"this run's class maps have {saved} points per axis, not {self.s.map_points}: "
                f"resume without --map-points or with {saved}"
            )
        self.s.map_points = saved

    def _truncate_history(self, epoch: int) -> None:
        """Drop records of epochs after the saved state (written just before a kill)."""
        for name in ("losses.csv", "weak_classifier.csv"):
            path = self.hist / name
            if path.exists():
                rows = read_csv(path)
                if any(int(r["epoch"]) > epoch for r in rows):
                    kept = [r for r in rows if int(r["epoch"]) <= epoch]
                    buf = io.StringIO()
                    writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
                    writer.writeheader()
                    writer.writerows(kept)
                    atomic_write_bytes(path, buf.getvalue().encode())
        for name in ("samples.npz", "class_maps.npz"):
            path = self.hist / name
            if path.exists():
                with np.load(path, allow_pickle=False) as f:
                    data = {k: f[k] for k in f.files}
                keep = data["epochs"] <= epoch
                if not keep.all():
                    per_epoch = [
                        k
                        for k, v in data.items()
                        if v.ndim and len(v) == len(keep) and k != "noise" and k != "labels"
                    ]
                    for k in per_epoch:
                        data[k] = data[k][keep]
                    buf = io.BytesIO()
                    np.savez_compressed(buf, **data)
                    atomic_write_bytes(path, buf.getvalue())

    # ---- state -------------------------------------------------------------------------
    def _state_groups(self):
        """(prefix, variables) of everything an exact resume needs, in a fixed order."""
        return (
            ("g", self.generator.weights),
            ("d", self.discriminator.weights),
            ("gopt", self.g_opt.variables),
            ("dopt", self.d_opt.variables),
            ("ema", self.ema.weights if self.ema is not None else []),
            # The dropout layers' random-number state: without it a resumed run would draw
            # other dropout masks than the run that went on (a state saved before it was
            # kept resumes with fresh ones).
            (RNG_PREFIX, _rng_states(self.generator) + _rng_states(self.discriminator)),
        )

    def _save_state(self) -> None:
        arrays: dict[str, np.ndarray] = {
            "epoch": np.array(self.epoch, np.int64),
            "fixed_noise": self.fixed_noise,
            "fixed_labels": self.fixed_labels,
        }
        for prefix, variables in self._state_groups():
            for i, v in enumerate(variables):
                arrays[f"{prefix}/{i:04d}"] = np.asarray(v.numpy())
        _write_npz(self.dir / STATE_FILE, arrays)

    def _load_state(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as f:
                data = {k: f[k] for k in f.files}
        except Exception as exc:  # noqa: BLE001
            raise TrainingError(f"corrupt training state {path}: {exc}") from exc
        for prefix, variables in self._state_groups():
            keys = sorted(k for k in data if k.startswith(prefix + "/"))
            if prefix == RNG_PREFIX and not keys:
                self.notes.append(
                    "the saved state predates the dropout random-number state: from here on "
                    "the run draws other dropout masks than an uninterrupted one would"
                )
                continue
            if len(keys) != len(variables):
                raise TrainingError(
                    f"{path}: {prefix} has {len(keys)} tensors, model expects {len(variables)} "
                    "(was it trained with other settings?)"
                )
            for key, var in zip(keys, variables):
                if tuple(data[key].shape) != tuple(var.shape):
                    raise TrainingError(
                        f"{path}: {key} shape {data[key].shape} != {tuple(var.shape)}"
                    )
                var.assign(data[key])
        self.epoch = int(data["epoch"])
        self.fixed_noise = data["fixed_noise"]
        self.fixed_labels = data["fixed_labels"]

    def _save_models(self) -> None:
        generator, discriminator = self.generator, self.discriminator
        if self.s.mixed_precision != "float32":
            generator, discriminator = self._float32_copies()
        if self.ema is not None:
            generator = self.ema
        save_keras_model(generator, self.dir / "generator.keras")
        save_keras_model(discriminator, self.dir / "discriminator.keras")
        cfg = self.s.model_config(self.epoch, self.data_source)
        config_path = self.dir / "config.json"
        if config_path.exists():
            try:
                old = json.loads(config_path.read_text())
                cfg.extra = old.get("extra", {}) if isinstance(old, dict) else {}
            except (OSError, json.JSONDecodeError):
                pass
        cfg.extra["monitor_grid"] = self.map_desc
        # Which backends trained it (a run can move between them on resume).
        trained_with = set(cfg.extra.get("trained_with", [])) | {backend_device()}
        cfg.extra["trained_with"] = sorted(trained_with)
        atomic_write_json(config_path, cfg.to_json())

    def _float32_copies(self):
        """float32 models with the trained weights, so inference never depends on bf16."""
        from gan_core.models import build_gan_pair

        g, d = build_gan_pair(self.s.latent_dim, self.s.conditional, self.s.activation)
        g.set_weights([np.asarray(w, np.float32) for w in self.generator.get_weights()])
        d.set_weights([np.asarray(w, np.float32) for w in self.discriminator.get_weights()])
        return g, d


def tf_prior_sampler(prior: Prior):
    """A function (shape, stateless seed) -> TensorFlow noise from ``prior``."""
    import tensorflow as tf

    if prior.kind == "uniform":
        return lambda shape, seed: tf.random.stateless_uniform(
            shape, seed=seed, minval=-prior.scale, maxval=prior.scale
        )
    return lambda shape, seed: prior.scale * tf.random.stateless_normal(shape, seed=seed)


def branch_run(
    source_id: str, model_id: str, root=None, recipe_changes: dict[str, Any] | None = None
) -> Path:
    """Start run ``model_id`` from ``source_id``'s last saved epoch, with the source's
    recipe changed by ``recipe_changes``; the source is not touched. The copy (weights,
    optimiser and EMA state, history) is made under a temporary name and renamed into
    place, so a failure leaves no half-made run. ``config.json`` records the branch point
    (``extra.branched_from``). Continue it with ``GanTrainer(..., resume=True)``."""
    import shutil

    try:
        src, dst = resolve_model_dir(source_id, root), resolve_model_dir(model_id, root)
    except CheckpointError as exc:
        raise TrainingError(str(exc)) from exc
    if not (src / STATE_FILE).is_file():
        raise TrainingError(f"cannot branch from {src}: it has no {STATE_FILE} to continue")
    if dst.exists():
        raise TrainingError(f"{dst} already exists; pick a new id for the branch")
    try:
        cfg = load_config(src)
    except CheckpointError as exc:
        raise TrainingError(str(exc)) from exc
    changes = dict(recipe_changes or {})
    try:
        old = recorded_recipe(cfg)
        recipe = Recipe.from_json({**old.to_json(), **changes})
    except (RecipeError, TypeError) as exc:
        raise TrainingError(f"bad recipe change for the branch: {exc}") from exc
    tmp = dst.with_name(f".{model_id}.branching")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        shutil.copytree(src, tmp)
        for name in ("metrics.json", "metrics_raw.json"):  # the source's, not the branch's
            (tmp / name).unlink(missing_ok=True)
        data = json.loads((tmp / "config.json").read_text())
        data["recipe"] = recipe.to_json()
        data.setdefault("extra", {})["branched_from"] = {
            "model": source_id,
            "epoch": cfg.epochs_trained,
            "recipe_changes": changes,
        }
        atomic_write_json(tmp / "config.json", data)
        if recipe.uses_ema != old.uses_ema:
            _switch_ema_state(tmp / STATE_FILE, recipe.uses_ema)
        tmp.rename(dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dst


def _switch_ema_state(path: Path, on: bool) -> None:
    """A branch that turns the generator EMA on starts the average at the trained
    generator's weights (float32, in the same order); one that turns it off drops it."""
    with np.load(path, allow_pickle=False) as f:
        data = {k: f[k] for k in f.files}
    data = {k: v for k, v in data.items() if not k.startswith("ema/")}
    if on:
        for key in sorted(k for k in data if k.startswith("g/")):
            data["ema/" + key[2:]] = data[key].astype(np.float32)
    _write_npz(path, data)


def raw_generator(model_dir: Path):
    """The trained (not averaged) generator of a model folder, from its training state, as
    a float32 model: with EMA on, generator.keras holds the average instead. Training never
    reads the average, so this is exactly the generator the same run without EMA gives."""
    from gan_core.models import build_gan_pair

    cfg = load_config(model_dir)
    path = Path(model_dir) / STATE_FILE
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = [f[k] for k in sorted(k for k in f.files if k.startswith("g/"))]
    except Exception as exc:  # noqa: BLE001
        raise TrainingError(f"cannot read the training state {path}: {exc}") from exc
    generator, _ = build_gan_pair(cfg.latent_dim, cfg.conditional, cfg.activation)
    if len(arrays) != len(generator.weights):
        raise TrainingError(
            f"{path}: {len(arrays)} generator tensors, expected {len(generator.weights)}"
        )
    generator.set_weights([a.astype(np.float32) for a in arrays])
    return generator


def read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc}") from exc


def load_history(model_dir: Path) -> dict[str, Any]:
    """All training records of a model folder as arrays (missing files give empty entries)."""
    hist = Path(model_dir) / "history"
    out: dict[str, Any] = {"losses": [], "weak": [], "samples": None, "class_maps": None}
    if (hist / "losses.csv").exists():
        out["losses"] = read_csv(hist / "losses.csv")
    if (hist / "weak_classifier.csv").exists():
        out["weak"] = read_csv(hist / "weak_classifier.csv")
    for key, name in (("samples", "samples.npz"), ("class_maps", "class_maps.npz")):
        if (hist / name).exists():
            try:
                with np.load(hist / name, allow_pickle=False) as f:
                    out[key] = {k: f[k] for k in f.files}
            except Exception as exc:  # noqa: BLE001
                raise CheckpointError(f"corrupt history file {hist / name}: {exc}") from exc
    return out


def map_change_fraction(classes: np.ndarray) -> np.ndarray:
    """Share of grid points whose class differs from the previous epoch (the study's
    convergence signal); the first epoch has no predecessor and gets NaN.

    Args:
        classes: (E, ...) per-epoch class maps as stored in class_maps.npz.
    Returns:
        (E,) float array in [0, 1] (NaN for the first entry).
    """
    classes = np.asarray(classes)
    out = np.full(len(classes), np.nan)
    if len(classes) > 1:
        flat = classes.reshape(len(classes), -1)
        out[1:] = (flat[1:] != flat[:-1]).mean(axis=1)
    return out
