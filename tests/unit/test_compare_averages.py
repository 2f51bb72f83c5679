"""scripts/compare_averages.py: several averaging rules beside one training run."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "compare_averages.py"


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True,
                          text=True, timeout=1200, cwd=ROOT)  # fmt: skip


@pytest.mark.slow
def test_each_rule_gets_its_own_average_and_the_runs_rule_matches_the_run(tmp_path):
    import keras

    out, ck = tmp_path / "averages", tmp_path / "ck"
    run = _run("--out", out, "--values", "0,1", "--keep-from", "2", "--", "--checkpoints", ck,
               "train", "t2", "--latent-dim", "2", "--epochs", "3", "--lr-decay", "0.7",
               "--limit", "256", "--map-points", "8", "--bn-samples", "256", "--weak-every", "0",
               "--precision", "float32", "--quiet")  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [json.loads(x) for x in run.stdout.splitlines() if x.startswith('{"epoch"')]
    summaries = [x for x in lines if "ema_follows_lr" in x]
    assert [(x["epoch"], x["ema_follows_lr"]) for x in summaries] == [
        (2, 0.0), (2, 1.0), (3, 0.0), (3, 1.0)
    ]  # fmt: skip
    assert summaries[0]["map_change_percent"] is None and summaries[2]["map_change_percent"] >= 0

    own = keras.models.load_model(ck / "t2" / "generator.keras")  # the run's rule: 0
    same = keras.models.load_model(out / "avg-0" / "generator.keras")
    follow = keras.models.load_model(out / "avg-1" / "generator.keras")
    for a, b in zip(own.trainable_weights, same.trainable_weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)
    assert (
        max(
            float(np.abs(a.numpy() - b.numpy()).max())
            for a, b in zip(own.trainable_weights, follow.trainable_weights)
        )
        > 1e-4
    )
    maps = np.load(out / "avg-0" / "history" / "class_maps.npz")
    run_maps = np.load(ck / "t2" / "history" / "class_maps.npz")
    assert list(maps["epochs"]) == [2, 3]
    np.testing.assert_array_equal(maps["classes"], run_maps["classes"][1:])
    cfg = json.loads((out / "avg-1" / "config.json").read_text())
    assert cfg["recipe"]["ema_follows_lr"] == 1.0 and cfg["latent_dim"] == 2


def test_bad_values_and_commands_are_refused(tmp_path):
    for args, message in (
        (["--out", tmp_path, "--values", "0,x", "--", "train", "t"], "numbers"),
        (["--out", tmp_path, "--values", "2", "--", "train", "t"], "[0, 1]"),
        (["--out", tmp_path, "--values", "0"], "after --"),
        (["--out", tmp_path, "--values", "0", "--", "info"], "must be train"),
    ):
        run = _run(*args)
        assert run.returncode == 2 and message in run.stderr, run.stderr
    assert not any(tmp_path.iterdir())
