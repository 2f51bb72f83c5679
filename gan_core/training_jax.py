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

from gan_core.recipe import adversarial_losses, discriminator_view
from gan_core.training import GanTrainer, TrainingError


def make_trainer(settings, mnist, classifier=None, resume: bool = False) -> GanTrainer:
    """The trainer for Keras' active backend: :class:`JaxGanTrainer` on JAX, else
    :class:`GanTrainer` (TensorFlow)."""
    import keras

    cls = JaxGanTrainer if keras.backend.backend() == "jax" else GanTrainer
    return cls(settings, mnist, classifier, resume=resume)


class JaxGanTrainer(GanTrainer):
    """:class:`GanTrainer` with its steps compiled by JAX (``KERAS_BACKEND=jax``)."""

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

    def _tensorboard(self, epoch, record, samples) -> None:
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
        one scan over the epoch's steps, each the TensorFlow step's update (one generator
        forward for both losses, G's Adam step, the label embedding's clip, D's Adam step,
        the EMA) followed every ``r1_every`` steps by the lazy R1 update of D."""
        import jax
        import jax.numpy as jnp

        G, D = self.generator, self.discriminator
        g_opt, d_opt = self.g_opt, self.d_opt
        s, recipe = self.s, self.s.recipe
        conditional, d, batch = s.conditional, s.latent_dim, s.batch_size
        matching_aware = conditional and recipe.matching_aware
        margin_weight = recipe.label_margin_weight if conditional else 0.0
        gain, linear = recipe.d_input_gain, recipe.d_input_linear
        g_lr, d_lr = recipe.g_learning_rate, recipe.d_learning_rate
        r1_weight = 0.5 * recipe.r1_gamma * recipe.r1_every
        penalty = bool(r1_weight)
        r1_every = recipe.r1_every
        base_key = jax.random.key(s.seed)

        def index_of(variables, path):
            hits = [i for i, v in enumerate(variables) if v.path == path]
            if len(hits) != 1:
                raise TrainingError(f"cannot find variable {path!r}")
            return hits[0]

        g_lr_i = index_of(g_opt.variables, f"{g_opt.name}/learning_rate")
        d_lr_i = index_of(d_opt.variables, f"{d_opt.name}/learning_rate")
        emb_i = (
            index_of(G.trainable_variables, "label_embedding/embeddings") if conditional else None
        )
        # The lazy penalty leaves D's output bias and its Adam slots untouched, as
        # TensorFlow does for a variable without a gradient.
        bias_i = index_of(D.trainable_variables, "logit/bias")
        bias_slots = [
            i
            for i, v in enumerate(d_opt.variables)
            if v.path.startswith(f"{d_opt.name}/logit_bias_")
        ]

        prior = self.s.prior
        if prior.kind == "uniform":

            def prior_noise(key, shape):
                return jax.random.uniform(key, shape, jnp.float32, -prior.scale, prior.scale)
        else:

            def prior_noise(key, shape):
                return prior.scale * jax.random.normal(key, shape, jnp.float32)

        def inputs_of(images, lab):
            return [images, lab] if conditional else images

        def logits_of(d_tv, d_ntv, images, lab):
            images = discriminator_view(images, gain, linear)
            out, d_ntv = D.stateless_call(d_tv, d_ntv, inputs_of(images, lab), training=True)
            return out.astype(jnp.float32), d_ntv

        def adam(opt, lr_i, lr, opt_vars, grads, variables):
            opt_vars = list(opt_vars)
            opt_vars[lr_i] = jnp.asarray(lr, opt_vars[lr_i].dtype)
            new_vars, new_opt = opt.stateless_apply(opt_vars, grads, variables)
            return list(new_vars), list(new_opt)

        def main_step(state, x_real, lab, key, scale, beta):
            g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov, ema = state
            k_z, k_wrong = jax.random.split(key)
            z = prior_noise(k_z, (batch, d))

            def forward(g_tv, d_tv):
                fake, g_ntv2 = G.stateless_call(g_tv, g_ntv, inputs_of(z, lab), training=True)
                real_logits, d_ntv2 = logits_of(d_tv, d_ntv, x_real, lab)
                fake_logits, d_ntv2 = logits_of(d_tv, d_ntv2, fake, lab)
                wrong_logits = None
                if matching_aware:
                    shift = jax.random.randint(k_wrong, lab.shape, 1, 10, lab.dtype)
                    wrong_logits, d_ntv2 = logits_of(d_tv, d_ntv2, x_real, (lab + shift) % 10)
                d_loss, g_loss = adversarial_losses(real_logits, fake_logits, wrong_logits)
                g_total = g_loss
                if margin_weight:
                    short = jax.nn.relu(recipe.label_margin - jnp.abs(g_tv[emb_i]))
                    g_total = g_total + margin_weight * jnp.mean(short)
                aux = (g_ntv2, d_ntv2, g_loss, d_loss, real_logits, fake_logits)
                return (g_total, d_loss), aux

            _, pull, aux = jax.vjp(forward, g_tv, d_tv, has_aux=True)
            g_ntv, d_ntv, g_loss, d_loss, real_logits, fake_logits = aux
            one, zero = jnp.float32(1.0), jnp.float32(0.0)
            g_grads = pull((one, zero))[0]
            d_grads = pull((zero, one))[1]
            g_tv, g_ov = adam(g_opt, g_lr_i, g_lr * scale, g_ov, g_grads, g_tv)
            d_tv, d_ov = adam(d_opt, d_lr_i, d_lr * scale, d_ov, d_grads, d_tv)
            ema = [beta * e + (1.0 - beta) * v.astype(jnp.float32) for e, v in zip(ema, g_tv)]
            real_acc = jnp.mean((real_logits > 0).astype(jnp.float32))
            fake_acc = jnp.mean((fake_logits < 0).astype(jnp.float32))
            metrics = jnp.stack([g_loss, d_loss, real_acc, fake_acc]).astype(jnp.float32)
            return (g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov, ema), metrics

        def gradient_norm(d_tv, d_ntv, images, lab):
            images = discriminator_view(images.astype(jnp.float32), gain, linear)

            def total(images, d_ntv):
                out, d_ntv = D.stateless_call(d_tv, d_ntv, inputs_of(images, lab), training=True)
                return jnp.sum(out.astype(jnp.float32)), d_ntv

            grad, d_ntv = jax.grad(total, has_aux=True)(images, d_ntv)
            norm = jnp.mean(jnp.sum(jnp.square(grad.astype(jnp.float32)), axis=(1, 2, 3)))
            return norm, d_ntv

        def penalty_step(state, x_real, lab, key, scale):
            g_tv, g_ntv, d_tv, d_ntv, g_ov, d_ov, ema = state

            def loss(d_tv, d_ntv):
                r1, d_ntv = gradient_norm(d_tv, d_ntv, x_real, lab)
                return r1_weight * r1, d_ntv

            grads, d_ntv = jax.grad(loss, has_aux=True)(d_tv, d_ntv)
            new_tv, new_ov = adam(d_opt, d_lr_i, d_lr * scale, d_ov, grads, d_tv)
            new_tv[bias_i] = d_tv[bias_i]
            for i in bias_slots:
                new_ov[i] = d_ov[i]
            return (g_tv, g_ntv, new_tv, d_ntv, g_ov, new_ov, ema)

        def epoch(state, inputs, x, y):
            def body(state, step_inputs):
                idx, step, scale, beta = step_inputs
                x_real, lab = x[idx], y[idx].reshape(-1, 1)
                key = jax.random.fold_in(base_key, step)
                state, metrics = main_step(state, x_real, lab, key, scale, beta)
                if penalty:
                    state = jax.lax.cond(
                        step % r1_every == 0,
                        lambda st: penalty_step(st, x_real, lab, key, scale),
                        lambda st: st,
                        state,
                    )
                return state, metrics

            return jax.lax.scan(body, state, inputs)

        return jax.jit(epoch, donate_argnums=(0,))
