"""Where training runs and in which compute precision: the Keras backend and device, and
whether this machine computes bfloat16 natively."""

from __future__ import annotations

from pathlib import Path

from gan_core.constants import PRECISIONS
from gan_core.train_state import TrainingError

# CPU flags of the instruction sets that compute bfloat16 natively.
_BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_has_native_bfloat16(cpuinfo: str) -> bool:
    """Whether a /proc/cpuinfo text names an instruction set with native bfloat16."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags" and any(f in value.split() for f in _BF16_CPU_FLAGS):
            return True
    return False


def backend_device() -> str:
    """(Keras backend, device kind) as "tensorflow/cpu", "jax/gpu", ...: where training runs."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        gpu = jax.default_backend() == "gpu"
    else:
        import tensorflow as tf

        gpu = bool(tf.config.list_physical_devices("GPU"))
    return f"{backend}/{'gpu' if gpu else 'cpu'}"


def native_bfloat16() -> bool:
    """Whether this machine computes bfloat16 natively: a visible GPU, or a CPU with
    AVX512-BF16 or AMX-BF16. Elsewhere TensorFlow emulates it, ~10x slower than float32
    (benchmarks/train_step.py on an AVX2-only CPU)."""
    if backend_device().endswith("/gpu"):
        return True
    try:
        return cpu_has_native_bfloat16(Path("/proc/cpuinfo").read_text())
    except OSError:
        return False


def resolve_precision(requested: str, saved: str | None = None, native: bool | None = None) -> str:
    """The compute precision to train in. An explicit float32 or mixed_bfloat16 wins;
    "auto" keeps a resumed run's ``saved`` precision where this machine supports it and
    otherwise takes mixed_bfloat16 only with native bfloat16 (``native``; None: this
    machine's, see native_bfloat16)."""
    if requested not in PRECISIONS:
        raise TrainingError(f"precision must be one of {', '.join(PRECISIONS)}, not {requested!r}")
    if requested != "auto":
        return requested
    if native is None:
        native = native_bfloat16()
    if saved == "float32" or (saved == "mixed_bfloat16" and native):
        return saved
    return "mixed_bfloat16" if native else "float32"
