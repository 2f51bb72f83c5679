"""The training loop on Keras' JAX backend: the same recipe, records and training state as
:class:`gan_core.training.GanTrainer`, one compiled program per epoch.

Select it with ``KERAS_BACKEND=jax`` (see :func:`make_trainer`). Each epoch's steps run
as one ``jax.lax.scan`` over the data set held on the device, so a GPU spends its time on
the networks rather than on one Python call per step. The models, optimisers and averaged
generator stay Keras objects: the state goes back into them after every epoch, and what is
written (``train_state.npz``, ``generator.keras``, the history) reads the same under either
backend, so a run started here resumes under TensorFlow and the other way round. The two
backends draw different noise and dropout masks, so the runs are alike, not equal.
"""

from __future__ import annotations

import numpy as np

from gan_core.steps import (
    StepSpec,
    d_accuracies,
    ema_update,
    logit_sum,
    r1_penalty,
    r1_view,
    step_losses,
)
from gan_core.training import GanTrainer, TrainingError


def make_trainer(settings, mnist, classifier=None, resume: bool = False) -> GanTrainer:
    """The trainer for Keras' active backend: :class:`JaxGanTrainer` on JAX, else
    :class:`GanTrainer` (TensorFlow)."""
    import keras

    cls = JaxGanTrainer if keras.backend.backend() == "jax" else GanTrainer
    return cls(settings, mnist, classifier, resume=resume)


class JaxGanTrainer(GanTrainer):
    """:class:`GanTrainer` with its steps compiled by JAX (``KERAS_BACKEND=jax``)."""

    tensorboard = False

    def __init__(self, settings, mnist, classifier=None, resume: bool = False):
        import keras

        if keras.backend.backend() != "jax":
            raise TrainingError(
                f"the JAX trainer needs KERAS_BACKEND=jax, not {keras.backend.backend()!r}"
            )
        super().__init__(settings, mnist, classifier, resume=resume)
        self.notes.append("JAX backend: one compiled program per epoch, no TensorBoard log")
        self._epoch_fn = self._make_epoch_fn()
        self._data = None

    # The TensorFlow steps are not built here.
    def _make_step(self, jit_compile: bool = False):
        return None

    def _make_penalty_step(self):
        return None

    def _device_data(self):
        import jax.numpy as jnp

        if self._data is None:
            self._data = (jnp.asarray(self.x), jnp.asarray(self.y))
        return self._data

    def epoch_batches(self, epoch: int) -> np.ndarray:
        """(steps, batch) indices of this epoch's batches; the order depends only on
        (seed, epoch), as under TensorFlow (which draws another order)."""
        rng = np.random.default_rng(self.s.seed * 100_003 + epoch)
        n = self.steps_per_epoch * self.s.batch_size
        return rng.permutation(len(self.x))[:n].reshape(self.steps_per_epoch, self.s.batch_size)

    def _variables(self):
        """The Keras variables the compiled epoch reads and writes, in its state's order."""
        G, D = self.generator, self.discriminator
        return (
            G.trainable_variables,
            G.non_trainable_variables,
            D.trainable_variables,
            D.non_trainable_variables,
            self.g_opt.variables,
            self.d_opt.variables,
            self.ema.trainable_variables if self.ema is not None else [],
        )

    def _train_epoch(self, epoch: int, epochs: int, bar) -> tuple[np.ndarray, float]:
        import jax.numpy as jnp

        global_steps, scales, betas = self.epoch_schedule(epoch, epochs)
        groups = self._variables()
        state = tuple([v.value for v in group] for group in groups)
        inputs = (
            jnp.asarray(self.epoch_batches(epoch), jnp.int32),
            jnp.asarray(global_steps, jnp.int32),
            jnp.asarray(scales, jnp.float32),
            jnp.asarray(betas, jnp.float32),
        )
        x, y = self._device_data()
        state, metrics = self._epoch_fn(state, inputs, x, y)
        for group, values in zip(groups, state):
            for var, value in zip(group, values):
                var.assign(value)
        bar.update(len(global_steps))
        sums = np.asarray(metrics, np.float64).sum(axis=0)
        return sums, float(scales[-1])

    def _make_epoch_fn(self):
        """``epoch(state, (batches, steps, lr scales, EMA betas), x, y) -> (state, metrics)``:
        one scan over the epoch's steps, each :func:`jax_update` with the step's random
        numbers (:func:`jax_random`) followed every ``r1_every`` steps by
        :func:`jax_r1_update`."""
        import jax

        spec = StepSpec.of(self.s)
        update = jax_update(self)
        r1 = jax_r1_update(self) if spec.r1_weight else None
        random = jax_random(self)

        def epoch(state, inputs, x, y):
            def body(state, step_inputs):
                idx, step, scale, beta = step_inputs
                x_real, lab = x[idx], y[idx].reshape(-1, 1)
                z, shift = random(step, lab)
                state, metrics = update(state, x_real, lab, z, shift, scale, beta)
                if r1 is not None:
                    state = jax.lax.cond(
                        step % spec.r1_every == 0,
                        lambda st: r1(st, x_real, lab, scale),
                        lambda st: st,
                        state,
                    )
                return state, metrics

            return jax.lax.scan(body, state, inputs)

        return jax.jit(epoch, donate_argnums=(0,))


def _index_of(variables, path: str) -> int:
    hits = [i for i, v in enumerate(variables) if v.path == path]
    if len(hits) != 1:
        raise TrainingError(f"cannot find variable {path!r}")
    return hits[0]


def jax_random(trainer):
    """``random(step, labels) -> (z, shift)``: the step's noise and wrong-label shift, from
    the key (seed) folded with the global step."""
    import jax
    import jax.numpy as jnp

    s, prior = trainer.s, trainer.s.prior
    base_key = jax.random.key(s.seed)

    def random(step, lab):
        k_z, k_wrong = jax.random.split(jax.random.fold_in(base_key, step))
        shape = (s.batch_size, s.latent_dim)
        if prior.kind == "uniform":
            z = jax.random.uniform(k_z, shape, jnp.float32, -prior.scale, prior.scale)
        else:
            z = prior.scale * jax.random.normal(k_z, shape, jnp.float32)
        return z, jax.random.randint(k_wrong, lab.shape, 1, 10, lab.dtype)

    return random


def _adam(opt, lr_i: int, lr, opt_vars, grads, variables):
    """One stateless Adam update at learning rate ``lr``: (new variables, new slots)."""
    import jax.numpy as jnp

    opt_vars = list(opt_vars)
    opt_vars[lr_i] = jnp.asarray(lr, opt_vars[lr_i].dtype)
    new_vars, new_opt = opt.stateless_apply(opt_vars, grads, variables)
    return list(new_vars), list(new_opt)


def jax_update(trainer):
    """A main step's update on JAX, given its random numbers: ``update(state, real, labels
    (N, 1), z, shift, lr scale, ema_beta) -> (state, metrics)``, state as
    :meth:`JaxGanTrainer._variables`, metrics (G loss, D loss, D accuracy on real, on
    fake). The losses are :func:`gan_core.steps.step_losses` under one ``jax.vjp``; G's
    Adam step, then D's, then the average moves by ``ema_beta``."""
    import jax
    import jax.numpy as jnp

    G, D, g_opt, d_opt = trainer.generator, trainer.discriminator, trainer.g_opt, trainer.d_opt
    spec, recipe = StepSpec.of(trainer.s), trainer.s.recipe
    g_lr_i = _index_of(g_opt.variables, f"{g_opt.name}/learning_rate")
    d_lr_i = _index_of(d_opt.variables, f"{d_opt.name}/learning_rate")
    emb_i = (
        _index_of(G.trainable_variables, "label_embedding/embeddings")
        if spec.margin_weight
        else None
    )

    def update(state, x_real, lab, z, shift, scale, beta):
        g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov, ema = state

        def forward(g_tv, d_tv):
            held = {"g": g_ntv, "d": d_ntv}

            def generate(inputs):
                out, held["g"] = G.stateless_call(g_tv, held["g"], inputs, training=True)
                return out

            def discriminate(inputs):
                out, held["d"] = D.stateless_call(d_tv, held["d"], inputs, training=True)
                return out

            embedding = g_tv[emb_i] if emb_i is not None else None
            out = step_losses(spec, generate, discriminate, x_real, lab, z, shift, embedding)
            return (out.g_total, out.d_loss), (held["g"], held["d"], out)

        _, pull, (g_ntv, d_ntv, out) = jax.vjp(forward, g_tv, d_tv, has_aux=True)
        one, zero = jnp.float32(1.0), jnp.float32(0.0)
        g_grads = pull((one, zero))[0]
        d_grads = pull((zero, one))[1]
        g_tv, g_ov = _adam(g_opt, g_lr_i, recipe.g_learning_rate * scale, g_ov, g_grads, g_tv)
        d_tv, d_ov = _adam(d_opt, d_lr_i, recipe.d_learning_rate * scale, d_ov, d_grads, d_tv)
        ema = [ema_update(e, v, beta) for e, v in zip(ema, g_tv)]
        real_acc, fake_acc = d_accuracies(out.real_logits, out.fake_logits)
        metrics = jnp.stack([out.g_loss, out.d_loss, real_acc, fake_acc]).astype(jnp.float32)
        return (g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov, ema), metrics

    return update


def jax_r1_update(trainer):
    """The lazy R1 update on JAX: ``r1(state, real, labels (N, 1), lr scale) -> state``,
    one D update on ``r1_every * gamma / 2 * E|grad_x D(x)|^2``. D's output bias and its
    Adam slots are left as they were, as TensorFlow leaves a variable without a
    gradient."""
    import jax

    D, d_opt = trainer.discriminator, trainer.d_opt
    spec, d_lr = StepSpec.of(trainer.s), trainer.s.recipe.d_learning_rate
    d_lr_i = _index_of(d_opt.variables, f"{d_opt.name}/learning_rate")
    bias_i = _index_of(D.trainable_variables, "logit/bias")
    bias_slots = [
        i for i, v in enumerate(d_opt.variables) if v.path.startswith(f"{d_opt.name}/logit_bias_")
    ]

    def penalty(d_tv, d_ntv, x_real, lab):
        def total(view, d_ntv):
            held = {"d": d_ntv}

            def discriminate(inputs):
                out, held["d"] = D.stateless_call(d_tv, held["d"], inputs, training=True)
                return out

            return logit_sum(discriminate, view, lab, spec), held["d"]

        grad, d_ntv = jax.grad(total, has_aux=True)(r1_view(x_real, spec), d_ntv)
        return spec.r1_weight * r1_penalty(grad), d_ntv

    def r1(state, x_real, lab, scale):
        g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov, ema = state
        grads, d_ntv = jax.grad(penalty, has_aux=True)(d_tv, d_ntv, x_real, lab)
        new_tv, new_ov = _adam(d_opt, d_lr_i, d_lr * scale, d_ov, grads, d_tv)
        new_tv[bias_i] = d_tv[bias_i]
        for i in bias_slots:
            new_ov[i] = d_ov[i]
        return (g_tv, g_ntv, new_tv, d_ntv, g_ov, new_ov, ema)

    return r1
