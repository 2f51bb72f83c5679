"""Branches of a run and its trained generator (gan_core.branching)."""

import json

import numpy as np
import pytest

from gan_core.recipe import Recipe


def test_switching_the_average_on_starts_it_at_the_trained_weights_and_off_drops_it(tmp_path):
    from gan_core.branching import switch_ema_state

    path = tmp_path / "train_state.npz"
    g = [np.arange(6, dtype=np.float32).reshape(2, 3), np.ones(3, np.float32)]
    np.savez(path, epoch=np.array(3), **{f"g/{i:04d}": w for i, w in enumerate(g)},
             **{"d/0000": np.zeros(2, np.float32)})  # fmt: skip
    switch_ema_state(path, True)
    with np.load(path) as f:
        assert sorted(k for k in f.files if k.startswith("ema/")) == ["ema/0000", "ema/0001"]
        np.testing.assert_array_equal(f["ema/0000"], g[0])
        assert int(f["epoch"]) == 3 and "d/0000" in f.files
    switch_ema_state(path, False)
    with np.load(path) as f:
        assert not [k for k in f.files if k.startswith("ema/")]


def test_a_raw_generator_needs_a_training_state(tmp_path):
    from gan_core.branching import raw_generator
    from gan_core.train_state import TrainingError

    folder = tmp_path / "m"
    folder.mkdir()
    from gan_core.checkpoints import DEFAULT_CHECKPOINTS

    config = json.loads((DEFAULT_CHECKPOINTS / "gan-2d" / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(TrainingError, match="cannot read the training state"):
        raw_generator(folder)


@pytest.mark.slow
def test_a_branch_continues_a_run_with_a_changed_recipe_and_leaves_it_as_it_was(
    tmp_path, small_mnist, capsys
):
    from gan_core.branching import branch_run
    from gan_core.train_state import TrainingError
    from gan_core.training import GanTrainer, TrainSettings
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
    from gan_core.branching import branch_run
    from gan_core.training import GanTrainer, TrainSettings

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
