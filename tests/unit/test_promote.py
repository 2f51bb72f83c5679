"""scripts/promote.sh moves an evaluated staging model over a bundled one, whole or not at all."""

import json
import os
import subprocess

from tests.conftest import REPO, make_checkpoint

SCRIPT = REPO / "scripts" / "promote.sh"


def _staged(root, model_id="gan-2d"):
    folder = make_checkpoint(root, model_id, 2)
    (folder / "metrics.json").write_text(json.dumps({"fid": 1.0}))
    (folder / "train_state.npz").write_bytes(b"state")
    (folder / "history").mkdir()
    (folder / "history" / "losses.csv").write_text("epoch\n1\n")
    return folder


def _promote(dest, *args):
    env = dict(os.environ, DEST=str(dest))
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True)


def test_promote_replaces_the_bundled_model_with_or_without_its_state(tmp_path):
    staging, dest = tmp_path / "staging", tmp_path / "checkpoints"
    _staged(staging)
    (dest / "gan-2d").mkdir(parents=True)
    (dest / "gan-2d" / "stale.txt").write_text("old model")
    out = _promote(dest, "gan-2d", str(staging))
    assert out.returncode == 0, out.stderr
    assert "with its training state" in out.stdout
    names = sorted(p.name for p in (dest / "gan-2d").iterdir())
    assert names == ["config.json", "discriminator.keras", "generator.keras", "history",
                     "metrics.json", "train_state.npz"]  # fmt: skip
    out = _promote(dest, "--without-state", "gan-2d", str(staging))
    assert out.returncode == 0 and "without its training state" in out.stdout
    assert not (dest / "gan-2d" / "train_state.npz").exists()
    assert (dest / "gan-2d" / "history" / "losses.csv").read_text() == "epoch\n1\n"
    assert sorted(p.name for p in dest.iterdir()) == ["gan-2d"]  # no .new / .old left


def test_promote_refuses_an_unevaluated_model_and_leaves_the_bundled_one(tmp_path):
    staging, dest = tmp_path / "staging", tmp_path / "checkpoints"
    (_staged(staging) / "metrics.json").unlink()
    (dest / "gan-2d").mkdir(parents=True)
    (dest / "gan-2d" / "generator.keras").write_text("bundled")
    out = _promote(dest, "gan-2d", str(staging))
    assert out.returncode == 2 and "metrics.json is missing" in out.stderr
    assert (dest / "gan-2d" / "generator.keras").read_text() == "bundled"
    assert sorted(p.name for p in dest.iterdir()) == ["gan-2d"]
