"""The one error path's messages."""

from dashboard.errors import user_error
from gan_core.checkpoints import CheckpointError


def test_user_errors_never_leak_internals():
    assert user_error(CheckpointError("missing file: x")) == "missing file: x"
    msg = user_error(RuntimeError("secret /path/trace"))
    assert "secret" not in msg and "RuntimeError" in msg
