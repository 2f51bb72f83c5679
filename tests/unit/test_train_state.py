"""train_state.npz (gan_core.train_state): keys in a fixed order, exact round trip, clear
errors."""

import numpy as np
import pytest

from gan_core.train_state import (
    RNG_PREFIX,
    TrainingError,
    load_state,
    save_state,
    saved_generator_weights,
    state_groups,
)


def _models(seed):
    import keras

    keras.utils.set_random_seed(seed)

    def model():
        x = keras.Input((3,))
        h = keras.layers.Dropout(0.5)(keras.layers.Dense(4)(x))
        return keras.Model(x, keras.layers.Dense(1)(h))

    g, d = model(), model()
    g_opt, d_opt = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
    g_opt.build(g.trainable_variables)
    d_opt.build(d.trainable_variables)
    return g, d, g_opt, d_opt


def test_the_state_round_trips_exactly_with_its_keys_in_order(tmp_path):
    g, d, g_opt, d_opt = _models(1)
    path = tmp_path / "train_state.npz"
    noise, labels = np.ones((36, 2), np.float32), np.arange(36, dtype=np.int32)
    save_state(path, 5, noise, labels, state_groups(g, d, g_opt, d_opt))
    with np.load(path) as f:
        keys = list(f.files)
    assert keys[:3] == ["epoch", "fixed_noise", "fixed_labels"]
    prefixes = [k.split("/")[0] for k in keys[3:]]
    assert prefixes == sorted(prefixes, key=["g", "d", "gopt", "dopt", RNG_PREFIX].index)
    assert "g/0000" in keys and "ema/0000" not in keys  # no average: an empty group
    other = _models(2)
    epoch, fixed, fixed_labels, notes = load_state(path, state_groups(*other))
    assert epoch == 5 and notes == [] and np.array_equal(fixed, noise)
    for a, b in zip(g.weights + d.weights, other[0].weights + other[1].weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert len(saved_generator_weights(path)) == len(g.weights)


def test_a_state_without_dropout_seeds_loads_with_a_note_and_a_wrong_one_is_refused(tmp_path):
    g, d, g_opt, d_opt = _models(1)
    path = tmp_path / "s.npz"
    save_state(path, 1, np.zeros((1, 2)), np.zeros(1), state_groups(g, d, g_opt, d_opt))
    with np.load(path) as f:
        data = {k: f[k] for k in f.files}
    np.savez(path, **{k: v for k, v in data.items() if not k.startswith(RNG_PREFIX)})
    *_, notes = load_state(path, state_groups(g, d, g_opt, d_opt))
    assert "dropout" in notes[0]
    np.savez(path, **{k: v for k, v in data.items() if k != "d/0001"})
    with pytest.raises(TrainingError, match="d has 3 tensors, model expects 4"):
        load_state(path, state_groups(g, d, g_opt, d_opt))
    np.savez(path, **{**data, "g/0000": np.zeros((2, 2))})
    with pytest.raises(TrainingError, match="g/0000 shape"):
        load_state(path, state_groups(g, d, g_opt, d_opt))
    path.write_bytes(b"truncated")
    with pytest.raises(TrainingError, match="corrupt training state"):
        load_state(path, state_groups(g, d, g_opt, d_opt))
    with pytest.raises(TrainingError, match="cannot read the training state"):
        saved_generator_weights(path)
