"""The training recipe: schedules, EMA, BatchNorm statistics, CGAN extras, resume."""

import json

import numpy as np
import pytest

from gan_core.recipe import Recipe, RecipeError, recompute_batchnorm_statistics


def test_learning_rate_decays_linearly_to_zero_over_the_last_share():
    r = Recipe(lr_decay_fraction=0.25)
    assert r.learning_rate_scale(0, 1000) == 1.0
    assert r.learning_rate_scale(749, 1000) == 1.0
    assert r.learning_rate_scale(750, 1000) == pytest.approx(1.0)
    assert r.learning_rate_scale(875, 1000) == pytest.approx(0.5)
    assert r.learning_rate_scale(999, 1000) == pytest.approx(0.004)
    assert r.learning_rate_scale(1000, 1000) == 0.0
    assert Recipe.legacy().learning_rate_scale(999, 1000) == 1.0


def test_ema_half_life_is_in_images_and_ramps_in():
    r = Recipe(ema_half_life_images=10_000, ema_rampup=0.05)
    assert r.ema_beta(0, 64) == 0.0  # the first step copies the weights
    beta = r.ema_beta(10_000_000, 64)
    assert beta ** (10_000 / 64) == pytest.approx(0.5)
    # 100k images in: the half-life is still 5% of them, 5,000 images.
    assert r.ema_beta(100_000, 64) ** (5_000 / 64) == pytest.approx(0.5)
    assert r.ema_beta(100_000, 64) < beta
    assert Recipe(ema_half_life_images=0).ema_beta(10**6, 64) == 0.0


@pytest.mark.parametrize(
    "bad",
    [
        {"d_learning_rate": 0.0},
        {"lr_decay_fraction": 1.5},
        {"r1_every": 0},
        {"ema_half_life_images": -1},
        {"label_margin": -0.1},
    ],
)
def test_out_of_range_options_are_refused(bad):
    with pytest.raises(RecipeError):
        Recipe(**bad)


def test_recipe_round_trips_through_json_and_refuses_unknown_options():
    r = Recipe(r1_gamma=0.1, matching_aware=False)
    assert Recipe.from_json(json.loads(json.dumps(r.to_json()))) == r
    with pytest.raises(RecipeError, match="unknown recipe options: spectral_norm"):
        Recipe.from_json({"spectral_norm": True})


def test_recomputed_batchnorm_statistics_normalise_each_layer_exactly():
    import keras

    from gan_core.models import build_generator

    keras.utils.set_random_seed(3)
    g = build_generator(2)
    # Pretend training moved the weights: the old running statistics no longer fit them.
    g.get_layer("dense").kernel.assign(g.get_layer("dense").kernel * 7.0 + 0.5)
    recompute_batchnorm_statistics(g, 2, False, n=2048, seed=1)
    z = np.random.default_rng(1).uniform(-1, 1, (2048, 2)).astype(np.float32)
    for name in ("dense_bn", "conv1_bn", "conv2_bn"):
        out = np.asarray(keras.Model(g.input, g.get_layer(name).output)(z, training=False))
        axes = tuple(range(out.ndim - 1))
        np.testing.assert_allclose(out.mean(axis=axes), 0.0, atol=2e-3)
        layer = g.get_layer(name)
        var = layer.moving_variance.numpy()
        np.testing.assert_allclose(out.var(axis=axes), var / (var + layer.epsilon), atol=2e-3)


@pytest.mark.slow
def test_ema_generator_is_what_gets_saved_and_resumes_exactly(tmp_path, small_mnist):
    import keras

    from gan_core.checkpoints import load_generator
    from gan_core.training import GanTrainer, TrainSettings

    s = TrainSettings(
        model_id="ema",
        latent_dim=2,
        limit_images=256,
        bn_samples=1024,
        weak_every=0,
        root=str(tmp_path),
    )
    trainer = GanTrainer(s, small_mnist)
    trainer.train(2, progress=False)
    saved = load_generator("ema", str(tmp_path)).generator.get_weights()
    for a, b in zip(saved, trainer.ema.get_weights()):
        np.testing.assert_array_equal(a, b)
    kernel = trainer.generator.get_layer("dense").kernel.numpy()
    assert not np.allclose(trainer.ema.get_layer("dense").kernel.numpy(), kernel)
    # Its BatchNorm statistics are those of `bn_samples` prior samples drawn with the seed.
    copy = keras.models.clone_model(trainer.ema)
    copy.set_weights(trainer.ema.get_weights())
    bn = trainer.ema.get_layer("dense_bn").moving_mean.numpy()
    recompute_batchnorm_statistics(copy, 2, False, n=1024, seed=s.seed)
    np.testing.assert_array_equal(copy.get_layer("dense_bn").moving_mean.numpy(), bn)
    recompute_batchnorm_statistics(copy, 2, False, n=2048, seed=s.seed)
    assert not np.allclose(copy.get_layer("dense_bn").moving_mean.numpy(), bn)
    from gan_core.training import raw_generator

    raw = raw_generator(tmp_path / "ema")  # the same run without EMA, from the state
    for a, b in zip(raw.get_weights(), trainer.generator.get_weights()):
        np.testing.assert_array_equal(a, np.asarray(b, np.float32))
    resumed = GanTrainer(
        TrainSettings(
            model_id="ema", root=str(tmp_path), limit_images=256, bn_samples=1024, weak_every=0
        ),
        small_mnist,
        resume=True,
    )
    assert resumed.s.recipe == Recipe()
    for a, b in zip(trainer.ema.get_weights(), resumed.ema.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_a_model_without_a_recorded_recipe_resumes_with_the_plain_loop(tmp_path, small_mnist):
    from gan_core.training import GanTrainer, TrainSettings

    plain = Recipe.legacy(2e-4)
    s = TrainSettings(
        model_id="old",
        limit_images=256,
        bn_samples=1024,
        weak_every=0,
        root=str(tmp_path),
        recipe=plain,
    )
    GanTrainer(s, small_mnist).train(1, progress=False)
    cfg_path = tmp_path / "old" / "config.json"
    cfg = json.loads(cfg_path.read_text())
    del cfg["recipe"]  # as written before recipes were recorded
    cfg_path.write_text(json.dumps(cfg))
    resumed = GanTrainer(
        TrainSettings(
            model_id="old", root=str(tmp_path), limit_images=256, bn_samples=1024, weak_every=0
        ),
        small_mnist,
        resume=True,
    )
    assert resumed.s.recipe == plain and resumed.ema is None
    resumed.train(2, progress=False)


@pytest.mark.slow
def test_label_margin_pushes_cgan_embeddings_away_from_zero(tmp_path, small_mnist):
    from gan_core.training import GanTrainer, TrainSettings

    def embedding_after(weight):
        recipe = Recipe(g_learning_rate=0.01, label_margin_weight=weight, lr_decay_fraction=0)
        s = TrainSettings(
            model_id=f"c{int(weight)}",
            latent_dim=3,
            conditional=True,
            limit_images=256,
            bn_samples=1024,
            weak_every=0,
            recipe=recipe,
            root=str(tmp_path),
        )
        trainer = GanTrainer(s, small_mnist)
        trainer.train(1, progress=False)
        return np.abs(trainer.generator.get_layer("label_embedding").embeddings.numpy())

    pushed, free = embedding_after(100.0), embedding_after(0.0)
    # Keras starts embeddings within +-0.05; four Adam steps of 0.01 move a pushed one ~0.04.
    assert pushed.min() > 0.03
    assert pushed.mean() > free.mean() + 0.01


def test_plain_and_bad_recipe_options_on_the_command_line(tmp_path, capsys):
    from gan_explorer.cli import main

    assert main(["--checkpoints", str(tmp_path), "train", "x", "--d-lr", "0"]) == 2
    assert "d_learning_rate must be in (0, 1)" in capsys.readouterr().err


def test_discriminator_view_stretches_near_black_and_keeps_the_ends_and_order():
    from gan_core.recipe import discriminator_view

    levels = np.arange(256, dtype=np.float32) / 127.5 - 1.0  # grey levels 0..255 in [-1, 1]
    seen = np.asarray(discriminator_view(levels, 15.0))
    assert seen[0] == pytest.approx(-1.0) and seen[-1] == pytest.approx(1.0)
    assert np.all(np.diff(seen) > 0)  # every level stays distinct and in order
    # Grey level 1 moves from 0.39% to ~2% of the range above black: 5x easier to see.
    assert (seen[1] + 1) / (levels[1] + 1) == pytest.approx(15 / np.log1p(15), rel=0.05)
    assert discriminator_view(levels, 0.0) is levels
    with pytest.raises(RecipeError):
        Recipe(d_input_gain=-1)
    # the steepest curve allowed still keeps every level distinct and in order
    steep = np.asarray(discriminator_view(levels, 1e8))
    assert steep[0] == pytest.approx(-1.0) and np.all(np.diff(steep) > 0)
    assert (steep[1] + 1) / 2 > 0.6  # grey level 1 shown brighter than mid-grey
    with pytest.raises(RecipeError, match="d_input_gain must be in"):
        Recipe(d_input_gain=1e9)


def test_a_linear_share_in_the_discriminator_view_keeps_grey_levels_near_white_apart():
    from gan_core.recipe import discriminator_view

    levels = np.arange(256, dtype=np.float32) / 127.5 - 1.0
    curve = (np.asarray(discriminator_view(levels, 1000.0)) + 1) / 2
    mixed = (np.asarray(discriminator_view(levels, 1000.0, 0.5)) + 1) / 2
    assert mixed[0] == pytest.approx(0.0, abs=1e-6) and mixed[-1] == pytest.approx(1.0)
    assert np.all(np.diff(mixed) > 0)
    mid = 128  # p = 0.5: the curve alone puts it 10% below white, the mix 30%
    assert 1 - curve[mid] == pytest.approx(0.10, abs=0.01)
    assert 1 - mixed[mid] == pytest.approx(0.30, abs=0.01)
    assert mixed == pytest.approx(0.5 * curve + 0.5 * (levels + 1) / 2, abs=1e-6)
    assert mixed[1] / (1 / 255) > 25  # grey level 1 still stretched ~30x
    for bad in (-0.1, 1.5):
        with pytest.raises(RecipeError, match="d_input_linear"):
            Recipe(d_input_linear=bad)
    recorded = Recipe(d_input_linear=0.5).to_json()
    assert Recipe.from_json(recorded).d_input_linear == 0.5
    del recorded["d_input_linear"]  # recorded before the option: resumes with the curve alone
    assert Recipe.from_json(recorded).d_input_linear == 0.0
    assert Recipe().d_input_linear == 0.5  # today's default, measured best on the strong classifier


@pytest.mark.slow
def test_training_with_the_log_view_and_realism_use_the_same_curve(tmp_path, small_mnist):
    import shutil

    from gan_core.cache import MapCache
    from gan_core.checkpoints import DEFAULT_CHECKPOINTS, CheckpointError, load_discriminator
    from gan_core.explorer import LatentExplorer
    from gan_core.recipe import discriminator_view
    from gan_core.training import GanTrainer, TrainSettings

    shutil.copytree(DEFAULT_CHECKPOINTS / "classifier", tmp_path / "classifier")
    s = TrainSettings(
        model_id="logd", limit_images=256, bn_samples=1024, weak_every=0, root=str(tmp_path),
        recipe=Recipe(d_input_gain=15.0, d_input_linear=0.5),
    )  # fmt: skip
    GanTrainer(s, small_mnist).train(1, progress=False)
    e = LatentExplorer.from_checkpoint("logd", tmp_path, cache=MapCache(tmp_path / "cache"))
    assert e.config.recipe["d_input_gain"] == 15.0 and e.config.recipe["d_input_linear"] == 0.5
    disc = load_discriminator("logd", tmp_path)
    grid = e.realism_grid(n=3, discriminator=disc)
    z = np.array([[-1.0, -1.0]], np.float32)
    image = np.asarray(e.generator(z, training=False))
    logit = float(np.asarray(disc(np.asarray(discriminator_view(image, 15.0, 0.5))))[0, 0])
    assert grid[0, 0] == pytest.approx(1 / (1 + np.exp(-logit)), abs=1e-5)
    e.config.recipe["d_input_linear"] = 2.0  # a corrupt config.json: a clear error
    with pytest.raises(CheckpointError, match="bad recipe: d_input_linear"):
        e.realism_grid(n=3, discriminator=disc)


@pytest.mark.slow
def test_stop_at_keeps_the_whole_runs_learning_rate_schedule(tmp_path, small_mnist):
    from gan_core.training import GanTrainer, TrainSettings

    def settings():
        return TrainSettings(
            model_id="s", limit_images=256, bn_samples=1024, weak_every=0, root=str(tmp_path)
        )

    first = GanTrainer(settings(), small_mnist).train(3, progress=False, stop_at=2)
    assert [r["epoch"] for r in first] == [1, 2]
    assert first[-1]["learning_rate_scale"] == 1.0  # 12 steps; the decay starts at step 9
    last = GanTrainer(settings(), small_mnist, resume=True).train(3, progress=False)
    assert [r["epoch"] for r in last] == [3]
    assert last[-1]["learning_rate_scale"] == pytest.approx(1 / 3, abs=1e-3)  # step 11 of 12


def test_a_run_recorded_before_the_d_input_curve_resumes_without_it():
    recorded = Recipe().to_json()
    del recorded["d_input_gain"]  # a recipe written before the option existed
    assert Recipe.from_json(recorded).d_input_gain == 0.0
    assert Recipe().d_input_gain == 1000.0  # today's default, measured best on faint pixels
    assert Recipe.from_json(Recipe().to_json()) == Recipe()


@pytest.mark.slow
def test_label_scale_keeps_every_embedding_component_in_its_range(tmp_path, small_mnist):
    from gan_core.training import GanTrainer, TrainSettings

    def settings(**kw):
        recipe = Recipe(g_learning_rate=0.05, label_margin_weight=0, lr_decay_fraction=0,
                        label_scale_min=0.1, label_scale_max=2.0)  # fmt: skip
        return TrainSettings(model_id="ls", latent_dim=3, conditional=True, limit_images=256, bn_samples=1024,
                             weak_every=0, recipe=recipe, root=str(tmp_path), **kw)  # fmt: skip

    trainer = GanTrainer(settings(), small_mnist)
    start = trainer.generator.get_layer("label_embedding").embeddings.numpy()
    assert np.abs(start).min() >= 0.1 and np.abs(start).max() <= 2.0  # spread over the range
    assert np.log(np.abs(start)).std() > 0.5 and (start < 0).any() and (start > 0).any()
    trainer.train(1, progress=False)  # big steps (lr 0.05) would leave the range unclamped
    after = trainer.generator.get_layer("label_embedding").embeddings.numpy()
    assert np.abs(after).min() >= 0.1 - 1e-6 and np.abs(after).max() <= 2.0 + 1e-6
    assert np.array_equal(np.sign(after), np.sign(start))  # no component crosses zero
    assert not np.allclose(after, start)  # it still learns
    resumed = GanTrainer(settings(), small_mnist, resume=True)  # the trained one, not a new spread
    np.testing.assert_array_equal(
        resumed.generator.get_layer("label_embedding").embeddings.numpy(), after
    )


def test_label_scale_options_are_checked_and_off_for_older_runs(capsys, tmp_path):
    from gan_explorer.cli import main

    assert Recipe().label_scale is None
    assert Recipe(label_scale_min=0.1, label_scale_max=2).label_scale == (0.1, 2)
    for lo, hi in ((0.1, 0.0), (0.0, 2.0), (2.0, 0.5), (-1.0, 2.0)):
        with pytest.raises(RecipeError, match="label_scale"):
            Recipe(label_scale_min=lo, label_scale_max=hi)
    recorded = Recipe().to_json()
    del recorded["label_scale_min"], recorded["label_scale_max"]
    assert Recipe.from_json(recorded).label_scale is None
    args = ["--checkpoints", str(tmp_path), "train", "x", "--label-scale", "2", "1"]
    assert main(args) == 2 and "label_scale" in capsys.readouterr().err


def test_ema_half_life_grows_to_its_end_value_as_the_rate_decays():
    r = Recipe(ema_half_life_images=10_000, ema_rampup=0, ema_half_life_end_images=250_000)
    full = r.ema_beta(10**7, 64, lr_scale=1.0)
    assert full ** (10_000 / 64) == pytest.approx(0.5)  # before the decay: unchanged
    assert r.ema_beta(10**7, 64, lr_scale=0.5) ** (130_000 / 64) == pytest.approx(0.5)
    assert r.ema_beta(10**7, 64, lr_scale=0.0) ** (250_000 / 64) == pytest.approx(0.5)
    assert Recipe(ema_rampup=0).ema_beta(10**7, 64, lr_scale=0.0) == pytest.approx(full)  # off
    ramped = Recipe(ema_half_life_end_images=250_000)  # the ramp-in still caps it early on
    assert ramped.ema_beta(100_000, 64, lr_scale=0.0) ** (5_000 / 64) == pytest.approx(0.5)
    for bad in ({"ema_half_life_end_images": 5_000}, {"ema_half_life_images": 0,
                "ema_half_life_end_images": 50_000}):  # fmt: skip
        with pytest.raises(RecipeError, match="ema_half_life_end_images"):
            Recipe(**bad)
    recorded = Recipe().to_json()
    del recorded["ema_half_life_end_images"]  # a run recorded before the option
    assert Recipe.from_json(recorded).ema_half_life_end_images == 0.0


@pytest.mark.slow
def test_a_branch_continues_a_run_with_a_changed_recipe_and_leaves_it_as_it_was(
    tmp_path, small_mnist, capsys
):
    from gan_core.training import GanTrainer, TrainingError, TrainSettings, branch_run
    from gan_explorer.cli import main

    s = TrainSettings(
        model_id="src", limit_images=256, bn_samples=1024, weak_every=0, root=str(tmp_path)
    )
    source = GanTrainer(s, small_mnist)
    source.train(1, progress=False)
    before = (tmp_path / "src" / "config.json").read_text()
    state = (tmp_path / "src" / "train_state.npz").read_bytes()
    (tmp_path / "src" / "metrics.json").write_text("{}")

    with pytest.raises(TrainingError, match="bad recipe change"):
        branch_run("src", "b", tmp_path, {"ema_half_life_end_images": 10.0})
    with pytest.raises(TrainingError, match="no train_state.npz"):
        branch_run("missing", "b", tmp_path, {})
    with pytest.raises(TrainingError, match="already exists"):
        branch_run("src", "src", tmp_path, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]  # nothing half-made

    args = ["--checkpoints", str(tmp_path), "train", "b", "--branch-from", "src", "--epochs",
            "2", "--ema-half-life-end", "40000", "--r1-gamma", "0", "--limit", "256",
            "--weak-every", "0", "--bn-samples", "1024", "--map-points", "6",
            "--quiet"]  # fmt: skip
    assert main(args) == 0
    cfg = json.loads((tmp_path / "b" / "config.json").read_text())
    assert cfg["epochs_trained"] == 2
    assert cfg["extra"]["branched_from"] == {
        "model": "src", "epoch": 1,
        "recipe_changes": {"ema_half_life_end_images": 40000.0, "r1_gamma": 0.0},
    }  # fmt: skip
    want = Recipe(ema_half_life_end_images=40_000, r1_gamma=0.0).to_json()
    assert cfg["recipe"] == want  # the source's recipe, only the given options changed
    assert not (tmp_path / "b" / "metrics.json").exists()  # the source's numbers stay there
    assert (tmp_path / "src" / "config.json").read_text() == before
    assert (tmp_path / "src" / "train_state.npz").read_bytes() == state
    branch = GanTrainer(TrainSettings(model_id="b", root=str(tmp_path), limit_images=256, bn_samples=1024,
                                      weak_every=0), small_mnist, resume=True)  # fmt: skip
    assert branch.epoch == 2 and branch.s.recipe == Recipe.from_json(want)
    losses = (tmp_path / "b" / "history" / "losses.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in losses[1:]] == ["1", "2"]  # history goes on
    capsys.readouterr()
    assert main(args + ["--resume"]) == 2
    assert "cannot be combined" in capsys.readouterr().err


@pytest.mark.slow
def test_a_branch_can_turn_the_generator_average_on_or_off(tmp_path, small_mnist):
    from gan_core.training import GanTrainer, TrainSettings, branch_run

    def settings(model_id, **kw):
        return TrainSettings(model_id=model_id, limit_images=256, bn_samples=1024, weak_every=0,
                             root=str(tmp_path), **kw)  # fmt: skip

    plain = GanTrainer(settings("plain", recipe=Recipe.legacy(2e-4)), small_mnist)
    plain.train(1, progress=False)
    branch_run("plain", "averaged", tmp_path, {"ema_half_life_images": 10_000.0})
    on = GanTrainer(settings("averaged"), small_mnist, resume=True)
    assert on.s.recipe.uses_ema and on.s.recipe.d_input_gain == 0.0  # the rest stays plain
    for a, b in zip(on.ema.get_weights(), plain.generator.get_weights()):
        np.testing.assert_array_equal(a, np.asarray(b, np.float32))  # starts at G's weights
    on.train(2, progress=False)
    assert not np.allclose(on.ema.get_layer("dense").kernel.numpy(),
                           on.generator.get_layer("dense").kernel.numpy())  # fmt: skip
    branch_run("averaged", "off", tmp_path, {"ema_half_life_images": 0.0})
    off = GanTrainer(settings("off"), small_mnist, resume=True)
    assert off.ema is None and off.epoch == 2
    off.train(3, progress=False)


def test_pixel_histogram_loss_pulls_a_halo_to_black_and_keeps_the_ink():
    import tensorflow as tf

    from gan_core.recipe import BLACK_LOGIT, LOGIT_CLIP, pixel_histogram_loss, pixel_logits

    def level(logit):  # the uint8 grey level a logit rounds to
        return np.round((np.tanh(logit) + 1) * 127.5)

    assert level(BLACK_LOGIT - 1e-3) == 0 and level(BLACK_LOGIT + 1e-3) == 1
    assert level(-LOGIT_CLIP) == 0 and level(LOGIT_CLIP) == 255
    # A "real" batch: 4 images of 10 pixels, 7 black, 2 mid-grey edges and 1 white each.
    real = np.tile(np.array([-1.0] * 7 + [-0.2, 0.3, 1.0], np.float32), (4, 1))
    real_logits = np.asarray(pixel_logits(real))
    assert float(pixel_histogram_loss(real_logits[:, ::-1], real)) == pytest.approx(0, abs=1e-6)
    # The same digits with a halo: one black pixel per image at grey level 1 (logit -3).
    fake = real_logits.copy()
    fake[:, 0] = -3.0
    assert level(-3.0) == 1
    fake = tf.constant(fake)
    with tf.GradientTape() as tape:
        tape.watch(fake)
        loss = pixel_histogram_loss(fake, real)
    assert float(loss) == pytest.approx((LOGIT_CLIP - 3.0) * 4 / 40, rel=1e-4)
    grad = tape.gradient(loss, fake).numpy()
    # Only the halo pixels are pulled, darker, by 1 / N, although tanh's own gradient there
    # is 0.0099; black beyond the clip, the edges and white are left as they are.
    np.testing.assert_allclose(grad[:, 0], 1 / 40, rtol=1e-5)
    np.testing.assert_allclose(grad[:, 1:], 0, atol=1e-7)
    # Thinner strokes (an edge pixel gone black) are pushed back up, not rewarded.
    thin = real_logits.copy()
    thin[:, 7] = -LOGIT_CLIP - 1.0
    thin = tf.constant(thin)
    with tf.GradientTape() as tape:
        tape.watch(thin)
        loss = pixel_histogram_loss(thin, real)
    assert float(loss) > 0.1
    grad = tape.gradient(loss, thin).numpy()
    # As many dark pixels as edge pixels were lost are pulled brighter, none darker.
    assert (grad < 0).sum() == 4 and grad.max() == 0.0
    np.testing.assert_allclose(grad[grad < 0], -1 / 40, rtol=1e-5)


def test_faint_band_loss_pushes_grey_levels_1_to_10_out_both_ways():
    import tensorflow as tf

    from gan_core.recipe import BLACK_LOGIT, FAINT_TOP_LOGIT, faint_band_loss

    def level(logit):  # the uint8 grey level a logit rounds to
        return np.round((np.tanh(logit) + 1) * 127.5)

    # The band is exactly the logits that round to levels 1..10.
    assert level(BLACK_LOGIT - 1e-3) == 0 and level(BLACK_LOGIT + 1e-3) == 1
    assert level(FAINT_TOP_LOGIT - 1e-3) == 10 and level(FAINT_TOP_LOGIT + 1e-3) == 11
    mid = 0.5 * (BLACK_LOGIT + FAINT_TOP_LOGIT)
    # Black, ink and white cost nothing; the middle of the band 1 per pixel.
    outside = np.array([[-9.0, BLACK_LOGIT - 0.01, FAINT_TOP_LOGIT + 0.01, 0.0, 4.0]], np.float32)
    assert float(faint_band_loss(outside)) == 0.0
    assert float(faint_band_loss(np.full((2, 4), mid, np.float32))) == pytest.approx(1.0)
    x = tf.constant([[-3.0, -2.6, -2.0, -1.6, -5.0, 1.0]], tf.float32)
    assert list(level(x.numpy()[0])) == [1.0, 1.0, 5.0, 10.0, 0.0, 225.0]
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = faint_band_loss(x)
    grad = tape.gradient(loss, x).numpy()[0]
    # A descent step darkens the lower half of the band, brightens the upper half and
    # leaves black and ink alone; the push does not fade toward black as tanh's does.
    assert grad[0] > 0 and grad[1] > 0 and grad[2] < 0 and grad[3] < 0
    assert grad[4] == 0 and grad[5] == 0
    assert grad[0] > grad[1]  # hardest at the band's edge


@pytest.mark.parametrize("option", ["pixel_histogram", "faint_band"])
def test_halo_loss_weights_are_checked_and_off_for_older_runs(option, capsys, tmp_path):
    from gan_explorer.cli import main

    assert getattr(Recipe(), option) == 0.0
    with pytest.raises(RecipeError, match=f"{option} must be >= 0"):
        Recipe(**{option: -1.0})
    recorded = Recipe(**{option: 10.0}).to_json()
    assert getattr(Recipe.from_json(recorded), option) == 10.0
    del recorded[option]  # a run recorded before the option
    assert getattr(Recipe.from_json(recorded), option) == 0.0
    flag = "--" + option.replace("_", "-")
    args = ["--checkpoints", str(tmp_path), "train", "x", flag, "-2"]
    assert main(args) == 2 and f"{option} must be >= 0" in capsys.readouterr().err


@pytest.mark.parametrize("conditional", [False, True])
def test_the_generators_logits_are_its_own_forward_pass_before_tanh(conditional):
    import keras

    from gan_core.models import build_gan_pair
    from gan_core.training import generator_with_logits

    keras.utils.set_random_seed(4)
    generator, _ = build_gan_pair(3, conditional)
    z = np.random.default_rng(0).uniform(-1, 1, (8, 3)).astype(np.float32)
    inputs = [z, np.arange(8).reshape(-1, 1).astype(np.int32)] if conditional else z
    image, logits = generator_with_logits(generator)(inputs)
    np.testing.assert_allclose(
        np.asarray(image), np.asarray(generator(inputs, training=True)), atol=1e-6
    )
    np.testing.assert_allclose(np.tanh(np.asarray(logits)), np.asarray(image), atol=1e-6)
    assert np.abs(np.asarray(logits)).max() > 1e-3  # real logits, not a copy of the image


@pytest.mark.slow
def test_the_pixel_histogram_loss_turns_the_generators_faint_haze_into_black(tmp_path, small_mnist):
    import json

    from gan_core.training import GanTrainer, TrainSettings, generator_with_logits

    z = np.random.default_rng(5).uniform(-1, 1, (256, 2)).astype(np.float32)

    def grey_levels_after(weight):
        recipe = Recipe(g_learning_rate=0.002, lr_decay_fraction=0, ema_half_life_images=0,
                        pixel_histogram=weight)  # fmt: skip
        s = TrainSettings(model_id=f"b{int(weight)}", limit_images=512, bn_samples=1024, weak_every=0,
                          recipe=recipe, root=str(tmp_path))  # fmt: skip
        trainer = GanTrainer(s, small_mnist)
        trainer.train(2, progress=False)
        saved = json.loads((tmp_path / s.model_id / "config.json").read_text())["recipe"]
        assert saved["pixel_histogram"] == weight
        image, _ = generator_with_logits(trainer.generator)(z)
        return np.round((np.asarray(image)[..., 0] + 1) * 127.5)

    free, pulled = grey_levels_after(0.0), grey_levels_after(100.0)

    def faint(levels):
        return ((levels >= 1) & (levels <= 10)).mean()

    # Same seed, data and steps: without the pull a third of the pixels are faint grey.
    assert faint(free) > 0.2
    assert faint(pulled) < 0.3 * faint(free)
    assert (pulled == 0).mean() > (free == 0).mean() + 0.2


def test_adversarial_losses_standard_and_relativistic_pairing():
    from gan_core.recipe import adversarial_losses

    rng = np.random.default_rng(0)
    real, fake, wrong = (rng.normal(0, 2, 64).astype(np.float32) for _ in range(3))

    def softplus(x):
        return np.log1p(np.exp(x))

    d, g = (float(v) for v in adversarial_losses(real, fake))
    assert d == pytest.approx(softplus(-real).mean() + softplus(fake).mean(), rel=1e-5)
    assert g == pytest.approx(softplus(-fake).mean(), rel=1e-5)
    d, g = (float(v) for v in adversarial_losses(real, fake, wrong))
    want = softplus(-real).mean() + 0.5 * (softplus(fake).mean() + softplus(wrong).mean())
    assert d == pytest.approx(want, rel=1e-5)

    # Pairing: row i of the real batch against row i of the generated one.
    d, g = (float(v) for v in adversarial_losses(real, fake, relativistic=True))
    assert d == pytest.approx(softplus(fake - real).mean(), rel=1e-5)
    assert g == pytest.approx(softplus(real - fake).mean(), rel=1e-5)
    assert float(adversarial_losses(real, real, relativistic=True)[0]) == pytest.approx(np.log(2))
    # Only differences count: one shift of every logit changes nothing, unlike the standard loss.
    shifted = adversarial_losses(real + 3, fake + 3, wrong + 3, relativistic=True)
    paired = adversarial_losses(real, fake, wrong, relativistic=True)
    assert np.allclose([float(v) for v in shifted], [float(v) for v in paired], rtol=1e-5)
    assert float(adversarial_losses(real + 3, fake + 3)[0]) != pytest.approx(
        float(adversarial_losses(real, fake)[0]), rel=1e-3
    )
    d = float(adversarial_losses(real, fake, wrong, relativistic=True)[0])
    want = 0.5 * (softplus(fake - real).mean() + softplus(wrong - real).mean())
    assert d == pytest.approx(want, rel=1e-5)


def test_relativistic_and_r2_options_are_checked_recorded_and_off_for_older_runs(capsys, tmp_path):
    from gan_explorer.cli import main

    assert Recipe().relativistic is False and Recipe().r2_gamma == 0.0
    with pytest.raises(RecipeError, match="r2_gamma must be >= 0"):
        Recipe(r2_gamma=-0.1)
    recorded = Recipe(relativistic=True, r2_gamma=0.05).to_json()
    assert Recipe.from_json(recorded) == Recipe(relativistic=True, r2_gamma=0.05)
    del recorded["relativistic"], recorded["r2_gamma"]  # a run recorded before the options
    assert Recipe.from_json(recorded) == Recipe()
    args = ["--checkpoints", str(tmp_path), "train", "x", "--r2-gamma", "-1"]
    assert main(args) == 2 and "r2_gamma must be >= 0" in capsys.readouterr().err


@pytest.mark.parametrize(
    "recipe",
    [Recipe(r1_every=4), Recipe(relativistic=True, r1_gamma=0.05, r2_gamma=0.05, r1_every=4)],
    ids=["default", "relativistic-r2"],
)
def test_a_run_stopped_and_resumed_ends_bit_for_bit_as_one_that_went_on(
    recipe, tmp_path, small_mnist
):
    from gan_core.training import STATE_FILE, GanTrainer, TrainSettings

    def settings(model_id):
        return TrainSettings(model_id=model_id, limit_images=256, bn_samples=512, weak_every=0,
                             map_points=4, recipe=recipe, root=str(tmp_path))  # fmt: skip

    whole = GanTrainer(settings("whole"), small_mnist)
    whole.train(2, progress=False)
    half = GanTrainer(settings("half"), small_mnist)
    half.train(2, progress=False, stop_at=1)
    resumed = GanTrainer(settings("half"), small_mnist, resume=True)
    assert resumed.notes == []
    resumed.train(2, progress=False)
    # Dropout masks included: D's too, and everything both optimisers hold.
    for a, b in zip(whole.discriminator.variables, resumed.discriminator.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    for a, b in zip(whole.generator.get_weights(), resumed.generator.get_weights()):
        np.testing.assert_array_equal(a, b)

    # A state saved before the dropout random-number state was kept still resumes, and says so.
    path = tmp_path / "half" / STATE_FILE
    with np.load(path) as f:
        older = {k: f[k] for k in f.files if not k.startswith("rng/")}
    np.savez(path, **older)
    again = GanTrainer(settings("half"), small_mnist, resume=True)
    assert again.epoch == 2 and "dropout" in " ".join(again.notes)


def test_a_relativistic_run_with_r2_trains_and_records_pair_accuracy(tmp_path, small_mnist):
    import json

    import tensorflow as tf

    from gan_core.training import GanTrainer, TrainSettings

    def settings(model_id):
        recipe = Recipe(relativistic=True, r1_gamma=0.05, r2_gamma=0.05, r1_every=4)
        return TrainSettings(model_id=model_id, limit_images=256, bn_samples=512, weak_every=0,
                             map_points=4, recipe=recipe, root=str(tmp_path))  # fmt: skip

    whole = GanTrainer(settings("whole"), small_mnist)
    records = whole.train(2, progress=False)
    saved = json.loads((tmp_path / "whole" / "config.json").read_text())["recipe"]
    assert saved["relativistic"] is True and saved["r2_gamma"] == 0.05
    for r in records:  # D's accuracy is on the pairs, one number for real and generated
        assert r["d_real_acc"] == r["d_fake_acc"] and 0 <= r["d_real_acc"] <= 1
        assert np.isfinite([r["g_loss"], r["d_loss"]]).all()

    # R2 is a gradient penalty on generated images: its steps alone flatten D there.
    real, labels = next(iter(whole.dataset(1)))
    step = tf.constant(7, tf.int64)
    whole.d_opt.learning_rate.assign(0.003)
    r1_before, r2_before = (float(v) for v in whole._penalty_fn(real, labels, step))
    for _ in range(30):
        whole._penalty_fn(real, labels, step)
    r1_after, r2_after = (float(v) for v in whole._penalty_fn(real, labels, step))
    assert r2_before > 0 and r2_after < 0.5 * r2_before
    assert r1_after < r1_before


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_floored_tanh_keeps_the_image_and_floors_only_its_slope(dtype):
    import tensorflow as tf

    from gan_core.recipe import floored_tanh

    x = tf.cast(tf.linspace(-6.0, 6.0, 241), dtype)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        plain, floored = tf.tanh(x), floored_tanh(x, 0.25)
    np.testing.assert_array_equal(np.asarray(floored), np.asarray(plain))
    slope = np.asarray(tf.cast(tape.gradient(floored, x), "float32"))
    tanh_slope = np.asarray(tf.cast(tape.gradient(plain, x), "float32"))
    y = np.asarray(tf.cast(plain, "float32"))
    tol = 1e-6 if dtype == "float32" else 1e-2
    np.testing.assert_allclose(slope, np.maximum(1 - y**2, 0.25), atol=tol)
    # Near black (grey level 1: x = -3.1) tanh's slope is 0.016; the floor makes it 0.25.
    near_black = np.asarray(x, np.float32) < -3.0
    assert tanh_slope[near_black].max() < 0.02 and slope[near_black].min() >= 0.25 - tol
    # Mid-grey keeps tanh's own slope.
    mid = np.abs(np.asarray(x, np.float32)) < 0.5
    np.testing.assert_allclose(slope[mid], tanh_slope[mid], atol=tol)


def _one_step(tmp_path, small_mnist, model_id, **options):
    """G's weights before and after one training step of a fresh run, and D's after."""
    import tensorflow as tf

    from gan_core.training import GanTrainer, TrainSettings

    recipe = Recipe(lr_decay_fraction=0, ema_half_life_images=0, r1_gamma=0, **options)
    s = TrainSettings(model_id=model_id, limit_images=256, bn_samples=512, weak_every=0,
                      map_points=4, recipe=recipe, root=str(tmp_path))  # fmt: skip
    trainer = GanTrainer(s, small_mnist)
    before = [np.array(w) for w in trainer.generator.get_weights()]
    real, labels = next(iter(trainer.dataset(1)))
    trainer._step_fn(real, labels, tf.constant(0, tf.int64), tf.constant(0.0))
    names = [w.path for w in trainer.generator.weights]
    return names, before, trainer.generator.get_weights(), trainer.discriminator.get_weights()


def test_output_lr_scale_lengthens_only_the_output_layers_step(tmp_path, small_mnist):
    names, before, plain, d_plain = _one_step(tmp_path, small_mnist, "plain")
    _, before_scaled, scaled, d_scaled = _one_step(tmp_path, small_mnist, "x3", output_lr_scale=3.0)
    for name, b0, b1, a, c in zip(names, before, before_scaled, plain, scaled):
        np.testing.assert_array_equal(b0, b1)  # same seed: the same start
        if name == "image/kernel":
            assert np.abs(a - b0).max() > 0
            np.testing.assert_allclose(c - b0, 3.0 * (a - b0), rtol=1e-4, atol=1e-8)
        else:  # every other layer, and D, take the same step
            np.testing.assert_array_equal(a, c)
    for a, c in zip(d_plain, d_scaled):
        np.testing.assert_array_equal(a, c)


def test_the_tanh_gradient_floor_changes_gs_step_not_the_images_d_sees(tmp_path, small_mnist):
    names, _, plain, d_plain = _one_step(tmp_path, small_mnist, "plain")
    _, _, floored, d_floored = _one_step(tmp_path, small_mnist, "floor", tanh_gradient_floor=1.0)
    for a, c in zip(d_plain, d_floored):  # D saw the same generated images
        np.testing.assert_array_equal(a, c)
    moved = {n for n, a, c in zip(names, plain, floored) if not np.array_equal(a, c)}
    assert "image/kernel" in moved and "dense/kernel" in moved


def test_the_faint_band_loss_joins_gs_step_only(tmp_path, small_mnist):
    names, _, plain, d_plain = _one_step(tmp_path, small_mnist, "plain")
    _, _, banded, d_banded = _one_step(tmp_path, small_mnist, "band", faint_band=20.0)
    for a, c in zip(d_plain, d_banded):  # D's step is its own loss's, on the same images
        np.testing.assert_array_equal(a, c)
    moved = {n for n, a, c in zip(names, plain, banded) if not np.array_equal(a, c)}
    assert "image/kernel" in moved and "dense/kernel" in moved


def test_halo_options_are_checked_recorded_and_off_for_older_runs(capsys, tmp_path):
    from gan_explorer.cli import main

    assert Recipe().tanh_gradient_floor == 0.0 and Recipe().output_lr_scale == 1.0
    for bad, message in (
        ({"tanh_gradient_floor": 1.5}, "tanh_gradient_floor must be in"),
        ({"output_lr_scale": 0.0}, "output_lr_scale must be in"),
    ):
        with pytest.raises(RecipeError, match=message):
            Recipe(**bad)
    recorded = Recipe(tanh_gradient_floor=0.25, output_lr_scale=4.0).to_json()
    assert Recipe.from_json(recorded) == Recipe(tanh_gradient_floor=0.25, output_lr_scale=4.0)
    del recorded["tanh_gradient_floor"], recorded["output_lr_scale"]
    assert Recipe.from_json(recorded) == Recipe()
    args = ["--checkpoints", str(tmp_path), "train", "x", "--tanh-gradient-floor", "2"]
    assert main(args) == 2 and "tanh_gradient_floor must be in" in capsys.readouterr().err
    args = ["--checkpoints", str(tmp_path), "train", "x", "--output-lr-scale", "-1"]
    assert main(args) == 2 and "output_lr_scale must be in" in capsys.readouterr().err


def test_the_push_by_grey_level_follows_the_discriminators_gradient(
    trained_model, test_checkpoints
):
    import subprocess
    import sys
    from pathlib import Path

    import keras

    from gan_core.evaluation import discriminator_push_by_grey_level, sample_prior
    from gan_core.models import build_generator

    generator = build_generator(2)
    z = sample_prior(64, 2, seed=1)

    def push(sign):  # D's logit: +-(mean brightness of what it sees)
        image = keras.Input((28, 28, 1))
        out = keras.layers.Lambda(lambda x: sign * keras.ops.mean(x, axis=(1, 2)))(image)
        return discriminator_push_by_grey_level(generator, keras.Model(image, out), z, 1000.0, 0.5)

    brighter_is_real, darker_is_real = push(1.0), push(-1.0)
    assert sum(r["pixel_percent"] for r in brighter_is_real) == pytest.approx(100, abs=0.01)
    for bright, dark in zip(brighter_is_real, darker_is_real):
        assert bright["band"] == dark["band"]
        if "toward_black" in bright:  # where D wants real, G pushes every pixel that way
            assert bright["toward_black"] == 0.0 and dark["toward_black"] == 1.0
            assert bright["logit_gradient_mean"] > 0
    assert sum(r.get("logit_gradient_share", 0) for r in darker_is_real) == pytest.approx(1)

    # The script on a trained model: its own D and view, one line per band.
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, str(root / "scripts/pixel_gradients.py"), trained_model,
         "--root", str(test_checkpoints), "--samples", "32"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "halo (1-10)" in run.stdout and "black (0-0)" in run.stdout
    missing = subprocess.run(
        [sys.executable, str(root / "scripts/pixel_gradients.py"), "nope", "--root",
         str(test_checkpoints)], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert missing.returncode == 2 and "error:" in missing.stderr


def test_an_average_that_follows_the_learning_rate_stops_with_it():
    plain = Recipe(ema_half_life_images=10_000, ema_half_life_end_images=500_000)
    follow = Recipe(
        ema_half_life_images=10_000, ema_half_life_end_images=500_000, ema_follows_lr=True
    )
    images = 10_000_000
    assert follow.ema_beta(images, 64, lr_scale=1.0) == plain.ema_beta(images, 64, lr_scale=1.0)
    step = 1.0 - plain.ema_beta(images, 64, lr_scale=0.5)
    assert 1.0 - follow.ema_beta(images, 64, lr_scale=0.5) == pytest.approx(0.5 * step)
    assert follow.ema_beta(images, 64, lr_scale=0.0) == 1.0  # rates at zero: the average holds
    assert plain.ema_beta(images, 64, lr_scale=0.0) < 1.0
    # Recorded before the option existed: off; recorded as a flag: 0 or the whole decay.
    old = {k: v for k, v in plain.to_json().items() if k != "ema_follows_lr"}
    assert Recipe.from_json(old).ema_follows_lr == 0.0
    assert Recipe.from_json({**old, "ema_follows_lr": True}).ema_follows_lr == 1.0
    assert Recipe.from_json({**old, "ema_follows_lr": False}).ema_follows_lr == 0.0


def test_an_average_that_follows_only_the_end_of_the_decay():
    plain = Recipe(ema_half_life_images=10_000, ema_half_life_end_images=500_000)
    late = Recipe(ema_half_life_images=10_000, ema_half_life_end_images=500_000, ema_follows_lr=0.2)
    images = 10_000_000
    for scale in (1.0, 0.5, 0.2):  # above the threshold: the plain average
        assert late.ema_beta(images, 64, lr_scale=scale) == plain.ema_beta(
            images, 64, lr_scale=scale
        )
    step = 1.0 - plain.ema_beta(images, 64, lr_scale=0.05)
    assert 1.0 - late.ema_beta(images, 64, lr_scale=0.05) == pytest.approx(0.25 * step)
    assert late.ema_beta(images, 64, lr_scale=0.0) == 1.0
    for bad in (-0.1, 1.5, "soon"):
        with pytest.raises(RecipeError, match="ema_follows_lr"):
            Recipe(ema_follows_lr=bad)


def test_the_train_command_reads_how_the_average_follows_the_rate():
    from gan_explorer.cli import _recipe_from_args, build_parser

    def recipe_of(*options):
        args = build_parser().parse_args(["train", "gan-2d", *options])
        return _recipe_from_args(args, Recipe, RecipeError)

    assert recipe_of().ema_follows_lr == 0.0
    assert recipe_of("--ema-follows-lr").ema_follows_lr == 1.0
    assert recipe_of("--ema-follows-lr", "0.1").ema_follows_lr == 0.1
    with pytest.raises(RecipeError, match="ema_follows_lr"):
        recipe_of("--ema-follows-lr", "2")
