"""Resumable GAN/CGAN training with the study's monitoring (the TensorFlow trainer).

The loop (:class:`GanTrainer`) runs an epoch of steps, then the monitors of
:mod:`gan_core.monitoring` (under ``checkpoints/<id>/history/``: ``losses.csv``,
``samples.npz``, ``class_maps.npz``, ``weak_classifier.csv`` every ``weak_every`` epochs,
``tensorboard/``), then saves the full training state (:mod:`gan_core.train_state`: G, D,
both optimizers, the average, epoch, fixed noise) to ``train_state.npz`` atomically, then
``generator.keras``/``discriminator.keras``/``config.json``. A kill at any moment loses at
most the epoch in progress.

A step is the arithmetic of :mod:`gan_core.steps` (shared with the JAX trainer,
:mod:`gan_core.training_jax`) around TensorFlow's gradient tapes, Adam updates and
stateless random numbers (:func:`tf_train_step`, :func:`tf_r1_step`), as keras-io's
``dcgan_overriding_train_step`` keeps a GAN's step apart from its monitoring callbacks.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gan_core.branching import branch_run, raw_generator  # noqa: F401 (imported from here)
from gan_core.checkpoints import (
    ModelConfig,
    atomic_write_json,
    load_config,
    resolve_model_dir,
    save_keras_model,
)
from gan_core.constants import BN_SAMPLES
from gan_core.history import (  # noqa: F401 (load_history, map_change_fraction: imported from here)
    load_history,
    map_change_fraction,
    saved_map_points,
    truncate_history,
)
from gan_core.monitoring import default_monitors, monitor_grid, run_monitors
from gan_core.precision import (  # noqa: F401 (imported from here)
    backend_device,
    cpu_has_native_bfloat16,
    native_bfloat16,
    resolve_precision,
)
from gan_core.priors import UNIFORM, Prior, model_prior
from gan_core.recipe import Recipe, RecipeError, recompute_batchnorm_statistics, recorded_recipe
from gan_core.steps import (
    StepSpec,
    d_accuracies,
    ema_update,
    logit_sum,
    r1_penalty,
    r1_view,
    step_losses,
)
from gan_core.train_state import (  # noqa: F401 (RNG_PREFIX: imported from here)
    N_FIXED,
    RNG_PREFIX,
    STATE_FILE,
    TrainingError,
    load_state,
    save_state,
    state_groups,
)


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
    dataset: str = "mnist"  # the training images' dataset (gan_core.datasets)

    def model_config(self, epochs_trained: int, data_source: str) -> ModelConfig:
        return ModelConfig(
            latent_dim=self.latent_dim,
            conditional=self.conditional,
            activation=self.activation,
            epochs_trained=epochs_trained,
            prior=self.prior.spec,
            data_source=data_source,
            dataset=self.dataset,
            seed=self.seed,
            batch_size=self.batch_size,
            learning_rate=self.recipe.g_learning_rate,
            beta_1=self.recipe.beta_1,
            mixed_precision=self.mixed_precision,
            recipe=self.recipe.to_json(),
        )


class GanTrainer:
    """Builds or restores a GAN, trains it epoch by epoch and writes the monitoring records."""

    tensorboard = True  # whether the monitors include the TensorBoard log

    def __init__(self, settings: TrainSettings, mnist, classifier=None, resume: bool = False):
        self.s = settings
        self.notes: list[str] = []  # what a person should know about this run's set-up
        self.dir = resolve_model_dir(settings.model_id, settings.root)
        self.hist = self.dir / "history"
        self._open_run(resume)
        self.x = mnist.x_train[: settings.limit_images] if settings.limit_images else mnist.x_train
        self.y = mnist.y_train[: len(self.x)]
        self.data_source = Path(mnist.source).name
        self.classifier = classifier
        self._check_settings()
        self._build_models()
        rng = np.random.default_rng(settings.seed)
        self.fixed_noise = settings.prior.sample(N_FIXED, settings.latent_dim, rng)
        self.fixed_labels = (np.arange(N_FIXED) % 10).astype(np.int32)
        self.epoch = 0
        if resume:
            self._load_state(self.dir / STATE_FILE)
            truncate_history(self.hist, self.epoch)
            self._adopt_map_points()
        self._step_fn = self._make_step()
        self._penalty_fn = self._make_penalty_step() if settings.recipe.r1_gamma else None
        self.map_latents, self.map_labels, self.map_shape, self.map_desc = monitor_grid(
            settings.latent_dim, settings.conditional, settings.map_points, settings.prior
        )
        self.monitors = default_monitors(tensorboard=self.tensorboard)

    def _open_run(self, resume: bool) -> None:
        """A resumed run adopts its saved configuration; a new one needs an empty folder."""
        state_path = self.dir / STATE_FILE
        if resume:
            if not state_path.is_file():
                raise TrainingError(
                    f"nothing to resume: {state_path} does not exist (start without --resume)"
                )
            self._adopt_config(load_config(self.dir))
        elif state_path.exists() or (self.dir / "generator.keras").exists():
            raise TrainingError(
                f"{self.dir} already holds a model; use --resume to continue it or pick a new id"
            )
        else:
            self.s.mixed_precision = resolve_precision(self.s.mixed_precision)

    def _check_settings(self) -> None:
        s = self.s
        if s.bn_samples < 1:
            raise TrainingError(
                f"the BatchNorm statistics need at least 1 prior sample, not {s.bn_samples}"
            )
        if s.map_points is not None and s.map_points < 2:
            raise TrainingError(f"a class map needs at least 2 points per axis, not {s.map_points}")
        if len(self.x) < s.batch_size:
            raise TrainingError(
                f"need at least one batch: {len(self.x)} images < batch {s.batch_size}"
            )

    def _build_models(self) -> None:
        """G and D (seeded, in the run's precision), both Adam optimisers and the averaged
        generator (float32: monitored, saved and served when EMA is on)."""
        import keras

        from gan_core.models import build_gan_pair

        s, r = self.s, self.s.recipe
        keras.mixed_precision.set_global_policy(s.mixed_precision)
        try:
            keras.utils.set_random_seed(s.seed)
            self.generator, self.discriminator = build_gan_pair(
                s.latent_dim, s.conditional, s.activation
            )
        finally:
            keras.mixed_precision.set_global_policy("float32")
        self.g_opt = keras.optimizers.Adam(r.g_learning_rate, beta_1=r.beta_1)
        self.d_opt = keras.optimizers.Adam(r.d_learning_rate, beta_1=r.beta_1)
        self.g_opt.build(self.generator.trainable_variables)
        self.d_opt.build(self.discriminator.trainable_variables)
        self.ema = None
        if r.uses_ema:
            self.ema, _ = build_gan_pair(s.latent_dim, s.conditional, s.activation)
            self.ema.set_weights([np.asarray(w, np.float32) for w in self.generator.get_weights()])

    def _adopt_config(self, cfg: ModelConfig) -> None:
        """On resume the saved architecture wins over command-line defaults."""
        s = self.s
        s.latent_dim, s.conditional, s.activation = cfg.latent_dim, cfg.conditional, cfg.activation
        s.seed, s.batch_size = cfg.seed, cfg.batch_size
        if s.dataset != cfg.dataset:
            raise TrainingError(
                f"{self.dir} was trained on {cfg.dataset}, not {s.dataset}: "
                f"resume it with --dataset {cfg.dataset}"
            )
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

    def _adopt_map_points(self) -> None:
        """A resumed run keeps the class-map grid its history was written with."""
        saved = saved_map_points(self.hist)
        if saved is None:
            return
        if self.s.map_points not in (None, saved):
            raise TrainingError(
                f"this run's class maps have {saved} points per axis, not {self.s.map_points}: "
                f"resume without --map-points or with {saved}"
            )
        self.s.map_points = saved

    @property
    def served_generator(self):
        """The generator that is monitored, saved and served: the EMA one when it exists."""
        return self.ema if self.ema is not None else self.generator

    # ---- the compiled steps (TensorFlow) -----------------------------------------------
    def _make_step(self, jit_compile: bool = False):
        return tf_train_step(self, jit_compile)

    def _make_penalty_step(self):
        return tf_r1_step(self)

    def dataset(self, epoch: int):
        """This epoch's shuffled batches; the order depends only on (seed, epoch)."""
        import tensorflow as tf

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
            record = self._epoch_record(epoch, sums, time.time() - start)
            self._refresh_average()
            record["learning_rate_scale"] = round(scale, 4)
            run_monitors(self.monitors, self, epoch, record)
            self.epoch = epoch
            self._save_state()
            self._save_models()
            record["total_seconds"] = round(time.time() - start, 2)
            records.append(record)
            if on_epoch is not None:
                on_epoch(record)
        return records

    def _epoch_record(self, epoch: int, sums: np.ndarray, seconds: float) -> dict[str, Any]:
        means = sums / max(self.steps_per_epoch, 1)
        return {
            "epoch": epoch,
            "g_loss": round(float(means[0]), 5),
            "d_loss": round(float(means[1]), 5),
            "d_real_acc": round(float(means[2]), 4),
            "d_fake_acc": round(float(means[3]), 4),
            "seconds": round(seconds, 2),
        }

    def _refresh_average(self) -> None:
        """The averaged generator's BatchNorm statistics, for its own weights: the same
        prior samples every epoch, so a map that changes is the weights', not the
        sampling noise of its statistics."""
        if self.ema is not None:
            recompute_batchnorm_statistics(
                self.ema,
                self.s.latent_dim,
                self.s.conditional,
                n=self.s.bn_samples,
                seed=self.s.seed,
                prior=self.s.prior,
            )

    def _train_epoch(self, epoch: int, epochs: int, bar) -> tuple[np.ndarray, float]:
        """One epoch of steps: the sums of (G loss, D loss, D accuracy on real, on fake)
        over its steps, and the last step's learning-rate scale."""
        import tensorflow as tf

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

    # ---- state -------------------------------------------------------------------------
    def _state_groups(self):
        return state_groups(self.generator, self.discriminator, self.g_opt, self.d_opt, self.ema)

    def _save_state(self) -> None:
        save_state(
            self.dir / STATE_FILE,
            self.epoch,
            self.fixed_noise,
            self.fixed_labels,
            self._state_groups(),
        )

    def _load_state(self, path: Path) -> None:
        self.epoch, self.fixed_noise, self.fixed_labels, notes = load_state(
            path, self._state_groups()
        )
        self.notes.extend(notes)

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


def tf_update(trainer):
    """A main step's update on TensorFlow, given its random numbers: ``update(real,
    labels (N, 1), z, shift, ema_beta) -> (G loss, D loss, D accuracy on real, on fake)``.
    The losses are :func:`gan_core.steps.step_losses` under two gradient tapes; G's Adam
    step, then D's, then the average moves by ``ema_beta``."""
    import tensorflow as tf

    G, D = trainer.generator, trainer.discriminator
    g_opt, d_opt = trainer.g_opt, trainer.d_opt
    spec = StepSpec.of(trainer.s)
    embedding = G.get_layer("label_embedding").embeddings if spec.margin_weight else None
    ema_pairs = (
        list(zip(trainer.ema.trainable_variables, G.trainable_variables)) if trainer.ema else []
    )

    def generate(inputs):
        return G(inputs, training=True)

    def discriminate(inputs):
        return D(inputs, training=True)

    def update(real, lab, z, shift, ema_beta):
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            out = step_losses(spec, generate, discriminate, real, lab, z, shift, embedding)
        g_opt.apply_gradients(
            zip(g_tape.gradient(out.g_total, G.trainable_variables), G.trainable_variables)
        )
        d_opt.apply_gradients(
            zip(d_tape.gradient(out.d_loss, D.trainable_variables), D.trainable_variables)
        )
        for ema_var, var in ema_pairs:
            ema_var.assign(ema_update(ema_var, var, ema_beta))
        return (out.g_loss, out.d_loss, *d_accuracies(out.real_logits, out.fake_logits))

    return update


def tf_train_step(trainer, jit_compile: bool = False):
    """The compiled training step ``step(real, labels, step index, ema_beta)``: the
    step's random numbers (the noise from the stateless seed (seed, step), the wrong-label
    shift from (seed, step) + 1), then :func:`tf_update`. XLA (``jit_compile``) is off: on
    this CPU it ran a bf16 step 2.4x slower than the plain graph
    (benchmarks/train_step.py --xla)."""
    import tensorflow as tf

    s = trainer.s
    update = tf_update(trainer)
    prior_noise = tf_prior_sampler(s.prior)
    matching_aware = StepSpec.of(s).matching_aware

    @tf.function(reduce_retracing=True, jit_compile=jit_compile)
    def step(real, labels, step_index, ema_beta):
        step_seed = tf.stack([tf.constant(s.seed, tf.int64), step_index])
        z = prior_noise((tf.shape(real)[0], s.latent_dim), step_seed)
        lab = tf.reshape(labels, (-1, 1))
        shift = None
        if matching_aware:
            shift = tf.random.stateless_uniform(
                tf.shape(lab), seed=step_seed + 1, minval=1, maxval=10, dtype=tf.int32
            )
        return update(real, lab, z, shift, ema_beta)

    return step


def tf_r1_update(trainer):
    """The lazy R1 update on TensorFlow: ``r1(real, labels (N, 1)) -> E|grad_x D(x)|^2``,
    one D update on ``r1_every * gamma / 2`` times it (the weight makes up for its
    rarity). D's output bias does not move the input gradient: it gets no update."""
    import tensorflow as tf

    D, d_opt = trainer.discriminator, trainer.d_opt
    spec = StepSpec.of(trainer.s)

    def discriminate(inputs):
        return D(inputs, training=True)

    def r1(real, lab):
        with tf.GradientTape() as d_tape:
            view = r1_view(real, spec)
            with tf.GradientTape() as x_tape:
                x_tape.watch(view)
                total = logit_sum(discriminate, view, lab, spec)
            penalty = r1_penalty(x_tape.gradient(total, view))
            loss = spec.r1_weight * penalty
        grads = d_tape.gradient(loss, D.trainable_variables)
        d_opt.apply_gradients(
            [(g, v) for g, v in zip(grads, D.trainable_variables) if g is not None]
        )
        return penalty

    return r1


def tf_r1_step(trainer):
    """The compiled R1 step ``r1_step(real, labels, step index) -> the penalty``."""
    import tensorflow as tf

    r1 = tf_r1_update(trainer)

    @tf.function(reduce_retracing=True)
    def r1_step(real, labels, step_index):
        return r1(real, tf.reshape(labels, (-1, 1)))

    return r1_step
