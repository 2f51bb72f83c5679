"""View state in the URL query string: opening a shared link restores the view.

Every value read from a URL is validated; anything malformed is dropped (the view falls
back to its default) rather than raising.
"""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode

MAX_POINTS = 8


def _num(text, lo=-1.0, hi=1.0) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return round(v, 4) if math.isfinite(v) and lo <= v <= hi else None


def point_from_text(text, dims: int | None = None, bound: float = 1.0) -> list[float] | None:
    """URL text "0.1,-0.5" -> [0.1, -0.5] (each in [-bound, bound]); None when malformed (a
    bad URL value falls back to its default; payloads.parse_point, for callback values,
    raises)."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    parts = [_num(p, -bound, bound) for p in text.split(",")]
    if not parts or any(p is None for p in parts) or (dims is not None and len(parts) != dims):
        return None
    return parts  # type: ignore[return-value]


def parse_spec(text) -> str | None:
    """A slice spec from the URL (checked against the model when the page resolves it);
    None for anything that is not a short single-line text."""
    if not isinstance(text, str) or len(text) > 20_000 or "\n" in text:
        return None
    return text.strip()


def format_point(point) -> str:
    return ",".join(
        f"{float(v):.2f}".rstrip("0").rstrip(".") if float(v) != 0 else "0" for v in point
    )


def parse_int(text, lo: int, hi: int) -> int | None:
    try:
        v = int(str(text))
    except (TypeError, ValueError):
        return None
    return v if lo <= v <= hi else None


def parse_indices(text, most: int) -> list[int] | None:
    """URL text "3,5" -> [3, 5]: at most ``most`` grid indices, each a whole number >= 0
    (the page checks them against its grid); None when malformed."""
    if not isinstance(text, str) or not text or len(text) > 40:
        return None
    parts = [parse_int(p, 0, 100000) for p in text.split(",")]
    if len(parts) > most or any(p is None for p in parts):
        return None
    return parts  # type: ignore[return-value]


def or_default(value, default):
    """``value`` unless it is None (0 and "" are kept)."""
    return default if value is None else value


def parse_choice(text, choices) -> str | None:
    return text if isinstance(text, str) and text in choices else None


def points_from_text(text) -> list[list[float]]:
    """ "a,b;c,d" -> [[a, b], [c, d]] (at most MAX_POINTS; malformed ones dropped)."""
    if not isinstance(text, str) or len(text) > 2000:
        return []
    pts = [point_from_text(p) for p in text.split(";") if p]
    return [p for p in pts if p is not None][:MAX_POINTS]


def parse_edits(text) -> list[dict]:
    """Edits as compact JSON; only well-formed dicts with known kinds are kept."""
    if not isinstance(text, str) or len(text) > 8000:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    out = []
    for d in data[:64]:
        if isinstance(d, dict) and isinstance(d.get("layer"), str) and d.get("kind") in (
            "rows", "columns", "channels", "region", "units",
        ):  # fmt: skip
            out.append({k: d.get(k) for k in ("layer", "kind", "indices", "region", "value")})
    return out


def query_string(state: dict) -> str:
    """'?key=value&...' from a state dict (None values left out)."""
    items = {}
    for key, value in state.items():
        if value is None or value == [] or value == "":
            continue
        if key in ("z", "a", "b"):
            value = format_point(value)
        elif key == "via":
            value = ";".join(format_point(p) for p in value)
        elif key == "edits":
            value = json.dumps(value, separators=(",", ":"))
        items[key] = value
    return "?" + urlencode(items) if items else ""
