"""The gan-explorer command line."""

import json
import subprocess
import sys

import pytest

from gan_explorer.cli import main
from tests.conftest import make_checkpoint


@pytest.fixture(autouse=True)
def _private_uploads(tmp_path, monkeypatch):
    """Every command here sees an empty uploads folder of its own, not the project's."""
    monkeypatch.setenv("GAN_EXPLORER_UPLOADS", str(tmp_path / "default-uploads"))


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


# ---- slice maps as JSON, imports ---------------------------------------------------------
def test_export_map_on_a_slice_writes_exactly_the_slice_and_its_classes(
    test_checkpoints, tmp_path, capsys
):
    import numpy as np

    from gan_core.checkpoints import load_classifier, load_generator
    from tests.conftest import REAL_3D

    out = tmp_path / "map.json"
    args = ["--checkpoints", str(test_checkpoints), "export", "map", REAL_3D, "--slice", "random:5",
            "--grid", "12", "--out", str(out), "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    assert main(args) == 0
    assert "12^2 grid" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert list(data) == ["model", "slice", "classes", "class_names"] and data["model"] == REAL_3D
    assert data["class_names"] == [str(d) for d in range(10)]
    s = data["slice"]
    assert list(s) == ["spec", "origin", "basis", "range", "n"]
    assert s["spec"] == "random:5" and s["n"] == 12 and s["range"] == [-1.0, 1.0]
    assert len(s["origin"]) == 3 and np.array(s["basis"]).shape == (2, 3)
    classes = np.array(data["classes"])
    assert classes.shape == (12, 12) and classes.dtype.kind == "i"
    assert len(np.unique(classes)) > 1  # a trained generator: several areas
    # Three grid points regenerated from the JSON alone.
    a = np.linspace(s["range"][0], s["range"][1], s["n"])
    ij = [(0, 0), (5, 9), (11, 3)]
    origin, basis = np.array(s["origin"]), np.array(s["basis"])
    z = np.stack([origin + a[i] * basis[0] + a[j] * basis[1] for i, j in ij]).astype(np.float32)
    generator = load_generator(REAL_3D, test_checkpoints).generator
    probs = np.asarray(load_classifier(test_checkpoints)(generator(z, training=False)))
    assert probs.argmax(1).tolist() == [int(classes[i, j]) for i, j in ij]
    # A cube: 4 points per axis, [i][j][l].
    cube = tmp_path / "cube.json"
    assert main(args[:6] + ["points:seed=1;seed=2;seed=3;seed=4", "--k", "3", "--grid", "4",
                            "--out", str(cube)] + args[-2:]) == 0  # fmt: skip
    data = json.loads(cube.read_text())
    assert np.array(data["classes"]).shape == (4, 4, 4) and len(data["slice"]["basis"]) == 3


@pytest.mark.parametrize(
    ("model", "spec", "message"),
    [("gan-4d", "axes:0,9", "0..3"), ("gan-4d", "lines:1", "unknown slice kind"),
     ("gan-4d", "points:seed=1;seed=1;seed=2", "one line"), ("nope", "random:0", "unknown model")],
)  # fmt: skip
def test_export_map_refuses_bad_slices_and_models(
    test_checkpoints, tmp_path, capsys, model, spec, message
):
    out = tmp_path / "x.json"
    args = ["--checkpoints", str(test_checkpoints), "export", "map", model, "--slice", spec,
            "--out", str(out), "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert not out.exists()


def _saved_generator(tmp_path, latent_dim: int) -> str:
    import keras

    from gan_core.models import build_generator

    keras.utils.set_random_seed(0)
    path = tmp_path / f"g{latent_dim}.keras"
    build_generator(latent_dim).save(path)
    return str(path)


@pytest.mark.parametrize("latent_dim", [100, 512])
def test_import_a_large_generator_then_every_command_finds_it(fresh_checkpoints, tmp_path, capsys,
                                                               monkeypatch, latent_dim):  # fmt: skip
    import numpy as np

    root = ["--checkpoints", str(fresh_checkpoints), "--uploads", str(tmp_path / "up")]
    assert main(root + ["import", _saved_generator(tmp_path, latent_dim), "--prior", "normal"]) == 0
    model_id = capsys.readouterr().out.strip()
    assert model_id.startswith(f"upload-g{latent_dim}-")
    config = json.loads((tmp_path / "up" / model_id / "config.json").read_text())
    assert config["prior"] == "normal(0,1)" and config["latent_dim"] == latent_dim
    out = tmp_path / "m.json"
    assert main(root + ["export", "map", model_id, "--slice", "random:0", "--grid", "3",
                        "--out", str(out), "--cache-dir", str(tmp_path / "c")]) == 0  # fmt: skip
    data = json.loads(out.read_text())
    assert data["slice"]["range"] == [-3.0, 3.0]  # the normal prior's default range
    assert len(data["slice"]["origin"]) == latent_dim and np.array(data["classes"]).shape == (3, 3)
    capsys.readouterr()
    assert main(root + ["info", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[model_id]["latent_dim"] == latent_dim and "gan-2d" in rows
    # evaluate loads the uploaded model from the uploads folder (the evaluation itself stubbed)
    seen = {}
    monkeypatch.setattr("gan_core.data.load_mnist", lambda: type("M", (), {"x_test": None})())
    monkeypatch.setattr("gan_core.evaluation.evaluate_generator",
                        lambda g, d, *a, **kw: seen.update(dim=d, prior=kw["prior"].spec) or {})  # fmt: skip
    assert main(root + ["evaluate", model_id]) == 0
    assert seen == {"dim": latent_dim, "prior": "normal(0,1)"}
    assert (tmp_path / "up" / model_id / "metrics.json").is_file()


def test_import_refuses_a_513_d_generator_and_a_bad_prior(tmp_path, capsys):
    import keras

    z = keras.Input((513,))
    x = keras.layers.Dense(784, activation="tanh")(z)
    path = tmp_path / "wide.keras"
    keras.Model(z, keras.layers.Reshape((28, 28, 1))(x)).save(path)
    root = ["--uploads", str(tmp_path / "up")]
    assert main(root + ["import", str(path), "--prior", "normal"]) == 2
    assert "2 <= d <= 512" in capsys.readouterr().err
    small = _saved_generator(tmp_path, 3)
    assert main(root + ["import", small, "--prior", "cauchy"]) == 2
    assert "bad prior" in capsys.readouterr().err
    assert main(root + ["import", str(tmp_path / "missing.keras")]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert not list((tmp_path / "up").glob("upload-*"))


def test_import_with_its_own_classifier_and_class_names(tmp_path, capsys):
    from gan_core.explorer import LatentExplorer
    from tests.colour_models import COLOUR_NAMES, colour_classifier, colour_generator, save

    gen, clf = tmp_path / "rgb.keras", tmp_path / "rgb-classifier.keras"
    save(colour_generator(2, (32, 32, 3)), gen)
    save(colour_classifier((32, 32, 3), 3), clf)
    (tmp_path / "names.json").write_text(json.dumps({"class_names": COLOUR_NAMES}))
    (tmp_path / "names.txt").write_text("red\ngreen\nblue\n")
    root = ["--uploads", str(tmp_path / "up"), "import", str(gen), "--classifier", str(clf)]
    ids = set()
    for names in ("red,green,blue", str(tmp_path / "names.json"), str(tmp_path / "names.txt")):
        assert main(root + ["--class-names", names]) == 0
        out, err = capsys.readouterr()
        ids.add(out.strip())
        assert "its maps are coloured by its own classifier: red, green, blue" in err
    assert len(ids) == 1  # the same names from each source: one model
    model_id = ids.pop()
    assert model_id.startswith("upload-rgb-")
    explorer = LatentExplorer.from_checkpoint(model_id, tmp_path / "up")
    assert explorer.class_names == COLOUR_NAMES


def test_import_refusals_name_the_reason(tmp_path, capsys):
    import keras

    from tests.colour_models import colour_classifier, colour_generator, save

    gen, clf = tmp_path / "rgb.keras", tmp_path / "c.keras"
    save(colour_generator(2, (32, 32, 3)), gen)
    save(colour_classifier((32, 32, 3), 3), clf)
    z = keras.Input((2,))
    grey = tmp_path / "grey.keras"
    keras.Model(z, keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784)(z))).save(grey)
    up = tmp_path / "up"
    up.mkdir()
    cases = [
        ([str(gen)], "bring a classifier of your own"),
        ([str(gen), "--classifier", str(clf), "--class-names", "red,green"],
         "it has 3 classes but 2 class names were given"),
        ([str(gen), "--classifier", str(clf), "--class-names", str(tmp_path / "none.json")],
         "No such file"),
        ([str(gen), "--classifier", str(tmp_path / "none.keras")], "No such file"),
        ([str(grey), "--class-names", "a,b"], "class names need a classifier of your own"),
        ([str(gen), "--classifier", str(clf), "--dataset", "mnist"], "leave it out"),
        ([str(grey), "--dataset", "cifar"], "invalid choice: 'cifar'"),
    ]  # fmt: skip
    for args, reason in cases:
        assert _exit_code(["--uploads", str(up), "import", *args]) == 2
        out, err = capsys.readouterr()
        assert reason in err and out == "", (args, err)
    assert list(up.iterdir()) == []
    assert main(["--uploads", str(up), "import", str(grey), "--dataset", "fashion-mnist"]) == 0
    out, err = capsys.readouterr()
    assert "its maps are coloured by the bundled Fashion-MNIST classifier" in err
    config = json.loads((up / out.strip() / "config.json").read_text())
    assert config["dataset"] == "fashion-mnist"


def _exit_code(argv) -> int:
    """main's return value, or the code argparse exits with on a bad option."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code
