"""Training writes every record, resumes exactly, survives kill -9, and evaluation runs."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from gan_core.training import (
    STATE_FILE,
    GanTrainer,
    TrainingError,
    TrainSettings,
    cpu_has_native_bfloat16,
    load_history,
    native_bfloat16,
    resolve_precision,
)

pytestmark = pytest.mark.slow


def _settings(root, **kw):
    base = dict(
        model_id="tiny",
        latent_dim=2,
        batch_size=64,
        limit_images=256,
        bn_samples=1024,
        weak_every=2,
        map_points=6,
        root=str(root),
    )
    base.update(kw)
    return TrainSettings(**base)


def test_tiny_gan_trains_and_writes_every_history_file(tmp_path, small_mnist, classifier):
    trainer = GanTrainer(_settings(tmp_path), small_mnist, classifier)
    records = trainer.train(2, progress=False)
    assert [r["epoch"] for r in records] == [1, 2]
    assert all(np.isfinite(r["g_loss"]) and np.isfinite(r["d_loss"]) for r in records)
    folder = tmp_path / "tiny"
    for name in ("generator.keras", "discriminator.keras", "config.json", STATE_FILE):
        assert (folder / name).is_file(), name
    hist = load_history(folder)
    assert [int(r["epoch"]) for r in hist["losses"]] == [1, 2]
    assert [int(r["epoch"]) for r in hist["weak"]] == [2]
    assert 0.0 <= float(hist["weak"][0]["accuracy"]) <= 1.0
    assert hist["samples"]["images"].shape == (2, 36, 28, 28)
    assert hist["samples"]["images"].dtype == np.uint8
    assert hist["class_maps"]["classes"].shape == (2, 6, 6)
    assert list((folder / "history" / "tensorboard").iterdir())
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["epochs_trained"] == 2 and cfg["prior"] == "uniform[-1,1]" and cfg["latent_dim"] == 2


def test_conditional_training_maps_one_cube_per_label(tmp_path, small_mnist, classifier):
    s = _settings(
        tmp_path, model_id="ctiny", latent_dim=3, conditional=True, weak_every=0, map_points=3
    )
    GanTrainer(s, small_mnist, classifier).train(1, progress=False)
    hist = load_history(tmp_path / "ctiny")
    assert hist["class_maps"]["classes"].shape == (1, 10, 3, 3, 3)
    np.testing.assert_array_equal(hist["samples"]["labels"], np.arange(36) % 10)


def test_resume_continues_from_saved_epoch_with_same_state(tmp_path, small_mnist):
    first = GanTrainer(_settings(tmp_path), small_mnist)  # bf16 only where it is native
    first.train(1, progress=False)
    weights = [w.copy() for w in first.generator.get_weights()]
    opt_vars = [np.asarray(v) for v in first.g_opt.variables]
    resumed = GanTrainer(_settings(tmp_path), small_mnist, resume=True)
    assert resumed.epoch == 1
    assert resumed.s.mixed_precision == first.s.mixed_precision  # "auto" keeps the saved one
    assert resumed.notes == []
    np.testing.assert_array_equal(resumed.fixed_noise, first.fixed_noise)
    for a, b in zip(weights, resumed.generator.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(opt_vars, resumed.g_opt.variables):
        np.testing.assert_array_equal(a, np.asarray(b))
    resumed.train(2, progress=False)
    assert [int(r["epoch"]) for r in load_history(tmp_path / "tiny")["losses"]] == [1, 2]


def test_a_resumed_run_keeps_its_class_map_grid(tmp_path, small_mnist, classifier):
    GanTrainer(_settings(tmp_path), small_mnist, classifier).train(1, progress=False)
    with pytest.raises(TrainingError, match="have 6 points per axis, not 5"):
        GanTrainer(_settings(tmp_path, map_points=5), small_mnist, classifier, resume=True)
    resumed = GanTrainer(_settings(tmp_path, map_points=None), small_mnist, classifier, resume=True)
    resumed.train(2, progress=False)
    assert load_history(tmp_path / "tiny")["class_maps"]["classes"].shape == (2, 6, 6)
    with pytest.raises(TrainingError, match="at least 2 points per axis, not 1"):
        GanTrainer(_settings(tmp_path / "new", map_points=1), small_mnist)


def test_refuses_to_overwrite_and_to_resume_nothing(tmp_path, small_mnist):
    with pytest.raises(TrainingError, match="nothing to resume"):
        GanTrainer(_settings(tmp_path), small_mnist, resume=True)
    GanTrainer(_settings(tmp_path), small_mnist).train(1, progress=False)
    with pytest.raises(TrainingError, match="already holds a model"):
        GanTrainer(_settings(tmp_path), small_mnist)


def test_batchnorm_statistics_need_a_prior_sample(tmp_path, small_mnist):
    with pytest.raises(TrainingError, match="at least 1 prior sample, not 0"):
        GanTrainer(_settings(tmp_path, bn_samples=0), small_mnist)
    assert not (tmp_path / "tiny").exists()


def test_corrupt_training_state_is_a_clear_error(tmp_path, small_mnist):
    GanTrainer(_settings(tmp_path), small_mnist).train(1, progress=False)
    (tmp_path / "tiny" / STATE_FILE).write_bytes(b"truncated")
    with pytest.raises(TrainingError, match="corrupt training state"):
        GanTrainer(_settings(tmp_path), small_mnist, resume=True)


def test_records_written_after_the_last_saved_state_are_dropped_on_resume(tmp_path, small_mnist):
    trainer = GanTrainer(_settings(tmp_path, weak_every=1), small_mnist)
    trainer.train(1, progress=False)
    state = (tmp_path / "tiny" / STATE_FILE).read_bytes()
    trainer.train(2, progress=False)
    (tmp_path / "tiny" / STATE_FILE).write_bytes(state)  # as if killed before epoch 2's state
    resumed = GanTrainer(_settings(tmp_path, weak_every=1), small_mnist, resume=True)
    hist = load_history(tmp_path / "tiny")
    assert resumed.epoch == 1
    assert [int(r["epoch"]) for r in hist["losses"]] == [1]
    assert [int(r["epoch"]) for r in hist["weak"]] == [1]
    assert list(hist["samples"]["epochs"]) == [1]


def test_kill_9_mid_epoch_loses_at_most_that_epoch(tmp_path):
    """A real `gan-explorer train` process killed with SIGKILL resumes from its last epoch."""
    root = tmp_path / "ck"
    root.mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    cmd = [
        sys.executable,
        "-m",
        "gan_explorer.cli",
        "--checkpoints",
        str(root),
        "train",
        "k9",
        "--limit",
        "512",
        "--batch-size",
        "64",
        "--weak-every",
        "0",
        "--bn-samples",
        "1024",
        "--map-points",
        "6",
        "--quiet",
    ]
    proc = subprocess.Popen(
        cmd + ["--epochs", "50"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.time() + 240
        epochs_seen = 0
        while time.time() < deadline and epochs_seen < 2:
            line = proc.stdout.readline()
            if line.startswith("{"):
                epochs_seen = json.loads(line)["epoch"]
        assert epochs_seen >= 2, "training did not reach epoch 2 in time"
        time.sleep(0.3)  # somewhere inside the next epoch
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    saved = json.loads((root / "k9" / "config.json").read_text())["epochs_trained"]
    assert saved >= 2
    hist = load_history(root / "k9")
    assert len(hist["losses"]) >= saved and hist["samples"]["images"].shape[0] >= saved
    out = subprocess.run(
        cmd + ["--resume", "--epochs", str(saved + 1)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"from epoch {saved} to {saved + 1}" in out.stdout
    hist = load_history(root / "k9")
    assert [int(r["epoch"]) for r in hist["losses"]] == list(range(1, saved + 2))


def test_evaluate_runs_end_to_end_on_a_tiny_model(tmp_path, small_mnist, classifier):
    from gan_core.evaluation import evaluate_generator

    trainer = GanTrainer(_settings(tmp_path, weak_every=0), small_mnist)
    trainer.train(1, progress=False)
    metrics = evaluate_generator(
        trainer.generator,
        2,
        False,
        small_mnist.x_test[:400],
        classifier,
        n_strong=400,
        n_fid=400,
        strong_epochs=1,
    )
    # An almost untrained generator is trivially told apart from real digits.
    assert 0.0 <= metrics["strong_classifier_error_percent"] < 20.0
    assert metrics["classifier_fid"] > 1.0
    assert abs(sum(metrics["class_share_percent"].values()) - 100.0) < 0.1


def test_evaluate_cli_writes_metrics_and_label_fidelity(test_checkpoints, tmp_path, capsys):
    import shutil

    from gan_explorer.cli import main

    root = tmp_path / "ck"
    shutil.copytree(test_checkpoints / "cgan-3d", root / "cgan-3d")
    shutil.copytree(test_checkpoints / "classifier", root / "classifier")
    assert (
        main(
            [
                "--checkpoints",
                str(root),
                "evaluate",
                "cgan-3d",
                "--samples",
                "300",
                "--strong-epochs",
                "1",
                "--strong-seeds",
                "2",
            ]
        )
        == 0
    )
    metrics = json.loads((root / "cgan-3d" / "metrics.json").read_text())
    by_seed = metrics["strong_classifier_error_by_seed_percent"]
    assert metrics["strong_classifier_seeds"] == [0, 1] and len(by_seed) == 2
    assert metrics["strong_classifier_error_percent"] == pytest.approx(np.mean(by_seed), abs=1e-3)
    assert 0.0 <= metrics["label_fidelity_percent"] <= 100.0
    assert metrics["samples"] == 300
    assert sorted(metrics["label_fidelity_by_label_percent"], key=int) == [
        str(k) for k in range(10)
    ]
    assert 0 <= metrics["origin_digit"] <= 9
    assert 10.0 <= metrics["label_fidelity_bound_percent"] <= 100.0


def test_strong_error_over_seeds_is_the_mean_of_each_classifier_alone():
    from gan_core.evaluation import strong_classifier_error, strong_classifier_errors

    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (200, 28, 28, 1)).astype(np.float32)
    # A faint copy of the real images with noise: hard to tell apart in one epoch.
    fake = np.clip(real + rng.normal(0, 0.3, real.shape), -1, 1).astype(np.float32)
    alone = [
        strong_classifier_error(real, fake, 1, s)["strong_classifier_error_percent"] for s in (3, 4)
    ]
    both = strong_classifier_errors(real, fake, 1, (3, 4))
    assert both["strong_classifier_error_by_seed_percent"] == alone
    assert both["strong_classifier_error_percent"] == pytest.approx(np.mean(alone), abs=1e-3)
    assert both["strong_classifier_seeds"] == [3, 4]
    with pytest.raises(ValueError, match="at least one seed"):
        strong_classifier_errors(real, fake, 1, ())


def test_the_fidelity_bound_of_an_embedding_counts_the_inputs_labels_share():
    from gan_core.evaluation import embedding_fidelity_bound

    same = np.full((10, 3), 0.5)
    assert embedding_fidelity_bound(same, 2000) == pytest.approx(10.0)  # one box for all
    nested = np.array([[10.0**k] * 3 for k in range(10)])  # each box 1000x its neighbour
    assert embedding_fidelity_bound(nested, 2000) > 99.0
    halves = np.array([[2.0**k] * 3 for k in range(10)])  # each box 8x: 1/8 of it shared
    assert embedding_fidelity_bound(halves, 20000) == pytest.approx((1 + 9 * 7 / 8) * 10, abs=0.5)
    # signs do not matter: z is symmetric
    assert embedding_fidelity_bound(-halves, 2000) == embedding_fidelity_bound(halves, 2000)


def test_the_bound_for_a_generator_that_resolves_inputs_only_so_finely():
    import warnings

    from scipy.stats import norm

    from gan_core.evaluation import embedding_fidelity_bound, fitted_input_resolution

    e = np.array([[1.0], [0.1]])  # 1-D: a wide box and a narrow one inside it
    assert embedding_fidelity_bound(e, 20000) == pytest.approx(95.0, abs=0.3)
    # The same by quadrature: the blurred densities, the better label at every x.
    sigma, x = 0.05, np.linspace(-1.5, 1.5, 300_001)
    dens = [(norm.cdf((x + w) / sigma) - norm.cdf((x - w) / sigma)) / (2 * w) for w in (1, 0.1)]
    narrow = dens[1] > dens[0]
    dx = x[1] - x[0]
    expected = 50 * ((dens[0] * ~narrow).sum() * dx + (dens[1] * narrow).sum() * dx)
    assert embedding_fidelity_bound(e, 40000, resolution=sigma) == pytest.approx(expected, abs=0.4)
    bounds = [embedding_fidelity_bound(e, 4000, resolution=r) for r in (0.0, 0.02, 0.05, 0.2)]
    assert bounds == sorted(bounds, reverse=True) and bounds[-1] < bounds[0] - 10
    with warnings.catch_warnings():  # a component at zero is a point, not a division by zero
        warnings.simplefilter("error")
        point = embedding_fidelity_bound(np.array([[1.0], [0.0]]), 4000, resolution=0.05)
    assert 85.0 < point < 97.0
    r = fitted_input_resolution(e, 90.0)
    assert embedding_fidelity_bound(e, 4000, resolution=r) == pytest.approx(90.0, abs=0.3)
    assert fitted_input_resolution(e, 99.0) == 0.0  # above the exact bound


@pytest.mark.slow
def test_label_resolution_script_on_the_bundled_cgan():
    script = Path(__file__).resolve().parents[2] / "scripts" / "label_resolution.py"
    run = subprocess.run([sys.executable, str(script), "cgan-3d", "--search", "3"],
                         capture_output=True, text=True, timeout=900)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert "fitted resolution" in run.stdout and run.stdout.count("  label ") == 10
    for model in ("gan-2d", "no-such-model"):
        bad = subprocess.run([sys.executable, str(script), model], capture_output=True,
                             text=True, timeout=300)  # fmt: skip
        assert bad.returncode == 2 and "error:" in bad.stderr


def test_label_fidelity_per_label_and_what_the_mislabelled_became():
    from gan_core.evaluation import label_fidelity_by_label

    labels = np.repeat(np.arange(10), 10)
    pred = labels.copy()
    pred[labels == 1] = [1, 1, 1, 1, 1, 1, 3, 3, 3, 8]  # 1s drawn as 3s and an 8
    pred[labels == 7] = [7] * 9 + [3]
    out = label_fidelity_by_label(pred, labels)
    assert out["label_fidelity_percent"] == 95.0
    assert out["label_fidelity_by_label_percent"]["1"] == 60.0
    assert out["label_fidelity_by_label_percent"]["7"] == 90.0
    assert out["label_fidelity_by_label_percent"]["0"] == 100.0
    assert out["mislabelled_mostly_as"] == 3 and out["mislabelled_mostly_as_share_percent"] == 80.0
    assert "mislabelled_mostly_as" not in label_fidelity_by_label(labels, labels)  # none wrong


def test_frechet_distance_is_zero_for_identical_and_grows_with_shift(rng):
    from gan_core.evaluation import frechet_distance

    a = rng.normal(size=(500, 4))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(a, a + 1.0) == pytest.approx(4.0, rel=0.05)


def test_faint_pixel_share_counts_grey_levels_1_to_10(small_mnist):
    from gan_core.evaluation import faint_pixel_share

    black = -np.ones((4, 28, 28, 1), np.float32)
    assert faint_pixel_share(black) == 0.0
    haze = black + 2 * 5 / 255  # grey level 5 everywhere
    assert faint_pixel_share(haze) == 100.0
    assert faint_pixel_share(black + 2 * 11 / 255) == 0.0
    assert 0.3 < faint_pixel_share(small_mnist.x_test) < 1.5  # real MNIST: ~0.75%


def test_stroke_statistics_measure_ink_saturation_and_broken_digits(small_mnist):
    from gan_core.evaluation import stroke_statistics

    black = -np.ones((4, 28, 28, 1), np.float32)
    bar = black.copy()
    bar[:, 5:20, 10:12] = 1.0  # one white bar of 30 pixels
    stats = stroke_statistics(bar)
    assert stats == {
        "ink_pixels_mean": 30.0,
        "saturated_pixel_percent": pytest.approx(100 * 30 / 784, abs=1e-3),
        "broken_digit_percent": 0.0,
        "faint_per_stroke_pixel": 0.0,  # its edges fall straight to black
    }
    ringed = bar.copy()
    ringed[:, 5:20, 9] = ringed[:, 5:20, 12] = -1 + 2 * 4 / 255  # a grey-4 pixel either side
    assert stroke_statistics(ringed)["faint_per_stroke_pixel"] == 1.0
    bar[:2, 24:26, 10:12] = 0.5  # a separate blob in half the images
    assert stroke_statistics(bar)["broken_digit_percent"] == 50.0
    bar[:2, 20:24, 10:12] = 0.2  # joined again through a mid-grey bridge
    assert stroke_statistics(bar)["broken_digit_percent"] == 0.0
    real = stroke_statistics(small_mnist.x_test)
    assert 80 < real["ink_pixels_mean"] < 115 and 4 < real["saturated_pixel_percent"] < 9
    assert real["broken_digit_percent"] < 6
    assert 0.02 < real["faint_per_stroke_pixel"] < 0.07  # MNIST's first 10,000 test digits: 0.041


def test_last_map_change_compares_the_last_two_epochs(tmp_path, small_mnist, classifier):
    from gan_core.evaluation import last_map_change

    trainer = GanTrainer(_settings(tmp_path, weak_every=0), small_mnist, classifier)
    assert last_map_change(tmp_path / "tiny") is None
    trainer.train(2, progress=False)
    classes = load_history(tmp_path / "tiny")["class_maps"]["classes"]
    expected = 100.0 * float((classes[1] != classes[0]).mean())
    assert last_map_change(tmp_path / "tiny") == pytest.approx(expected, abs=0.01)


AVX2_ONLY = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\nmodel name\t: AMD EPYC\n"
SAPPHIRE = "flags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n"


def test_native_bfloat16_is_read_from_the_cpu_flags():
    assert not cpu_has_native_bfloat16(AVX2_ONLY)
    assert cpu_has_native_bfloat16(SAPPHIRE)
    assert not cpu_has_native_bfloat16("model name : avx512_bf16 in a name, not a flag\n")
    assert not cpu_has_native_bfloat16("")


def test_precision_auto_picks_by_machine_and_keeps_a_resumed_runs_where_it_can():
    assert resolve_precision("auto", native=False) == "float32"
    assert resolve_precision("auto", native=True) == "mixed_bfloat16"
    assert resolve_precision("auto", "mixed_bfloat16", native=True) == "mixed_bfloat16"
    assert resolve_precision("auto", "mixed_bfloat16", native=False) == "float32"
    assert resolve_precision("auto", "float32", native=True) == "float32"
    assert resolve_precision("mixed_bfloat16", "float32", native=False) == "mixed_bfloat16"
    assert resolve_precision("float32", "mixed_bfloat16", native=True) == "float32"
    with pytest.raises(TrainingError, match="precision must be one of auto, float32"):
        resolve_precision("float16")


def test_a_new_run_records_the_precision_it_trained_in(tmp_path, small_mnist):
    t = GanTrainer(_settings(tmp_path, model_id="auto"), small_mnist)
    assert t.s.mixed_precision == ("mixed_bfloat16" if native_bfloat16() else "float32")
    with pytest.raises(TrainingError, match="precision must be one of"):
        GanTrainer(_settings(tmp_path, model_id="bad", mixed_precision="fp8"), small_mnist)


def test_halo_width_script_splits_the_haze_into_stroke_area_and_edge(
    trained_model, test_checkpoints
):
    root = Path(__file__).resolve().parents[2]
    script = [sys.executable, str(root / "scripts/halo_width.py")]
    run = subprocess.run(script + [trained_model, "--root", str(test_checkpoints), "--samples", "64"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = {}
    for line in run.stdout.splitlines()[1:]:
        *name, faint, visible, per, _sat, _broken = line.split()
        rows[" ".join(name)] = (float(faint.rstrip("%")), float(visible), float(per))
    assert set(rows) == {"MNIST test", trained_model}
    for faint, visible, per in rows.values():  # faint share = visible pixels x haze per pixel
        assert faint == pytest.approx(100 * visible * per / 784, abs=0.02)
    assert 0.02 < rows["MNIST test"][2] < 0.07
    missing = subprocess.run(script + ["nope", "--root", str(test_checkpoints)],
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert missing.returncode == 2 and "error:" in missing.stderr
