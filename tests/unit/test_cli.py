"""The gan-explorer command line."""

import json
import subprocess
import sys

import pytest

from gan_explorer.cli import main
from tests.conftest import make_checkpoint


def test_help_lists_subcommands():
    out = subprocess.run(
        [sys.executable, "-m", "gan_explorer.cli", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    for word in ("info", "train", "evaluate"):
        assert word in out.stdout


def test_info_lists_checkpoints_with_dims_and_params(fresh_checkpoints, capsys):
    assert main(["--checkpoints", str(fresh_checkpoints), "info"]) == 0
    out = capsys.readouterr().out
    assert "gan-2d" in out and "1,101,632" in out and "classifier" in out


def test_info_json_and_broken_checkpoint_exit_code(fresh_checkpoints, capsys):
    make_checkpoint(fresh_checkpoints, "gan-3d", 3)
    (fresh_checkpoints / "gan-3d" / "generator.keras").write_bytes(b"\x00" * 10)
    assert main(["--checkpoints", str(fresh_checkpoints), "info", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["gan-2d"]["latent_dim"] == 2
    assert "generator.keras" in rows["gan-3d"]["error"]
    assert main(["--checkpoints", str(fresh_checkpoints), "info"]) == 1
    assert "ERROR" in capsys.readouterr().out


def test_train_refuses_to_overwrite_and_to_resume_nothing(fresh_checkpoints, capsys):
    assert main(["--checkpoints", str(fresh_checkpoints), "train", "gan-2d", "--epochs", "1"]) == 2
    assert "already holds a model" in capsys.readouterr().err
    assert main(["--checkpoints", str(fresh_checkpoints), "train", "new", "--resume"]) == 2
    assert "nothing to resume" in capsys.readouterr().err
    assert main(["--checkpoints", str(fresh_checkpoints), "train", "new", "--bn-samples", "0"]) == 2
    assert "at least 1 prior sample, not 0" in capsys.readouterr().err
    assert not (fresh_checkpoints / "new").exists()


def test_evaluate_unknown_model_is_a_clear_error(fresh_checkpoints, capsys):
    assert main(["--checkpoints", str(fresh_checkpoints), "evaluate", "../x"]) == 2
    assert "invalid model id" in capsys.readouterr().err


def test_evaluate_needs_at_least_one_strong_classifier(fresh_checkpoints, capsys):
    before = sorted(p.name for p in (fresh_checkpoints / "gan-2d").iterdir())
    for bad in ("0", "two"):
        with pytest.raises(SystemExit) as exc:
            main(
                ["--checkpoints", str(fresh_checkpoints), "evaluate", "gan-2d"]
                + ["--strong-seeds", bad]
            )
        assert exc.value.code == 2
        assert "--strong-seeds" in capsys.readouterr().err
    assert sorted(p.name for p in (fresh_checkpoints / "gan-2d").iterdir()) == before


def test_export_morph_map_and_state(test_checkpoints, tmp_path, capsys):
    import io

    from PIL import Image

    root = ["--checkpoints", str(test_checkpoints)]
    gif = tmp_path / "m.gif"
    args = ["export", "morph", "gan-2d", "--a=-1,0", "--b=1,0", "--frames", "9", "--out", str(gif),
            "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    assert main(root + args) == 0
    assert Image.open(io.BytesIO(gif.read_bytes())).n_frames == 9
    assert "crossed areas" in capsys.readouterr().out
    plain = tmp_path / "plain.gif"
    assert main(root + args[:-4] + ["--no-progress-bar", "--out", str(plain), *args[-2:]]) == 0
    with_bar, without = Image.open(gif).size, Image.open(plain).size
    assert without == (112, 112) and with_bar[0] == 112 and with_bar[1] > 112
    png = tmp_path / "cube.png"
    assert main(root + ["export", "map", "gan-4d", "--cube", "4", "--w", "0.5", "--out", str(png),
                        "--cache-dir", str(tmp_path / "c")]) == 0  # fmt: skip
    assert Image.open(png).format == "PNG"
    state = tmp_path / "s.json"
    assert main(root + ["export", "state", "cgan-3d", "--a", "0.1,0.2,0.3", "--label", "4", "--out", str(state),
                        "--cache-dir", str(tmp_path / "c")]) == 0  # fmt: skip
    data = json.loads(state.read_text())
    assert data["label"] == 4 and len(data["probabilities"]) == 10
    assert data["point"] == pytest.approx([0.1, 0.2, 0.3])


def test_export_refuses_bad_points_with_a_clear_error(test_checkpoints, tmp_path, capsys):
    args = ["--checkpoints", str(test_checkpoints), "export", "morph", "gan-2d", "--a=-3,0", "--b=1,0",
            "--out", str(tmp_path / "x.gif"), "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    assert main(args) == 2
    assert "outside" in capsys.readouterr().err
    assert not (tmp_path / "x.gif").exists()
