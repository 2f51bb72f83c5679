"""Evaluation: the strong and weak classifiers, classifier-FID, coverage and label
fidelity, faint pixels and strokes, the map change, and the scripts built on them."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gan_core.history import load_history
from gan_core.training import GanTrainer
from tests.unit.tiny_runs import tiny_settings


@pytest.mark.slow
def test_evaluate_runs_end_to_end_on_a_tiny_model(tmp_path, small_mnist, classifier):
    from gan_core.evaluation import evaluate_generator

    trainer = GanTrainer(tiny_settings(tmp_path, weak_every=0), small_mnist)
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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_last_map_change_compares_the_last_two_epochs(tmp_path, small_mnist, classifier):
    from gan_core.evaluation import last_map_change

    trainer = GanTrainer(tiny_settings(tmp_path, weak_every=0), small_mnist, classifier)
    assert last_map_change(tmp_path / "tiny") is None
    trainer.train(2, progress=False)
    classes = load_history(tmp_path / "tiny")["class_maps"]["classes"]
    expected = 100.0 * float((classes[1] != classes[0]).mean())
    assert last_map_change(tmp_path / "tiny") == pytest.approx(expected, abs=0.01)


@pytest.mark.slow
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
