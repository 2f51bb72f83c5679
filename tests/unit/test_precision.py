"""Where training runs and in which precision (gan_core.precision)."""

import pytest

from gan_core.precision import cpu_has_native_bfloat16, resolve_precision
from gan_core.train_state import TrainingError

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
