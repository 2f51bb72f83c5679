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


@pytest.mark.slow
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
    from gan_core.branching import raw_generator

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
@pytest.mark.parametrize(
    "recipe", [Recipe(r1_every=4), Recipe(r1_every=4, r1_gamma=0.05)], ids=["default", "r1"]
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


RETIRED_ON = {
    "faint_band": 20.0,
    "tanh_gradient_floor": 0.25,
    "output_lr_scale": 4.0,
    "pixel_histogram": 10.0,
    "label_scale_min": 0.1,
    "label_scale_max": 2.0,
    "relativistic": True,
    "r2_gamma": 0.01,
}


def test_retired_options_at_their_off_values_load_and_turned_on_are_refused():
    from gan_core.recipe import RETIRED, RETIRED_AT

    assert set(RETIRED) == set(RETIRED_ON)
    assert len(RETIRED_AT) >= 7 and RETIRED_AT != "RETIRED_COMMIT"
    recorded = {**Recipe().to_json(), **RETIRED}  # as every bundled config.json holds them
    assert Recipe.from_json(recorded) == Recipe()
    assert not set(RETIRED) & set(Recipe().to_json())
    for option, value in RETIRED_ON.items():
        with pytest.raises(RecipeError) as err:
            Recipe.from_json({**recorded, option: value})
        message = str(err.value)
        assert option in message and "retired" in message and RETIRED_AT in message


def test_every_bundled_config_loads_its_recipe():
    from gan_core.checkpoints import DEFAULT_CHECKPOINTS
    from gan_core.recipe import RETIRED

    configs = sorted(DEFAULT_CHECKPOINTS.glob("*/config.json"))
    assert configs
    held = set()
    for path in configs:
        recipe = json.loads(path.read_text()).get("recipe")
        if recipe:
            held |= set(recipe) & set(RETIRED)
            Recipe.from_json(recipe)
    assert held == set(RETIRED)  # the bundled runs recorded every retired option, off


def test_the_train_command_names_no_retired_option(capsys):
    from gan_core.recipe import RETIRED
    from gan_explorer.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--help"])
    text = capsys.readouterr().out
    assert "--ema-follows-lr" in text
    for option in [*RETIRED, "label_scale"]:
        assert "--" + option.replace("_", "-") not in text
    for flag in ("--relativistic", "--faint-band", "--label-scale 0.1 2"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["train", "x", *flag.split()])


@pytest.mark.slow
def test_a_bundled_run_resumes_one_more_epoch_with_its_recorded_retired_options(tmp_path, capsys):
    import shutil

    from gan_core.checkpoints import DEFAULT_CHECKPOINTS
    from gan_core.recipe import RETIRED
    from gan_explorer.cli import main

    shutil.copytree(DEFAULT_CHECKPOINTS / "gan-2d", tmp_path / "gan-2d")
    config = json.loads((tmp_path / "gan-2d" / "config.json").read_text())
    assert set(RETIRED) & set(config["recipe"])
    done = config["epochs_trained"]
    args = ["--checkpoints", str(tmp_path), "train", "gan-2d", "--resume", "--epochs",
            str(done + 1), "--stop-at", str(done + 1), "--limit", "128", "--weak-every", "0",
            "--bn-samples", "256", "--quiet"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"from epoch {done} to {done + 1}" in out
    after = json.loads((tmp_path / "gan-2d" / "config.json").read_text())
    assert after["epochs_trained"] == done + 1
    assert Recipe.from_json(after["recipe"]) == Recipe.from_json(config["recipe"])
    losses = (tmp_path / "gan-2d" / "history" / "losses.csv").read_text().splitlines()
    assert losses[-1].split(",")[0] == str(done + 1)

    # A run that turned a retired option on is refused before anything is written.
    config["recipe"]["faint_band"] = 20.0
    (tmp_path / "gan-2d" / "config.json").write_text(json.dumps(config))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "faint_band" in err and "retired" in err
