"""scripts/pixel_gradients.py: the generator's pre-tanh logits and where D pushes them."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pixel_gradients.py"


def _script():
    spec = importlib.util.spec_from_file_location("pixel_gradients", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("conditional", [False, True])
def test_the_generators_logits_are_its_own_forward_pass_before_tanh(conditional):
    import keras

    from gan_core.models import build_gan_pair

    generator_with_logits = _script().generator_with_logits

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
def test_the_push_by_grey_level_follows_the_discriminators_gradient(
    trained_model, test_checkpoints
):
    import subprocess
    import sys
    from pathlib import Path

    import keras

    from gan_core.evaluation import sample_prior
    from gan_core.models import build_generator

    discriminator_push_by_grey_level = _script().discriminator_push_by_grey_level
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
