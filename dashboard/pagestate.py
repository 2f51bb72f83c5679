"""A page's state in the URL, from one description of its fields.

Each :class:`Field` names its query key, how a URL value is validated (``parse`` returns
None for anything malformed, and the default is used), its default, the control whose value
it mirrors, and how that value is written. :class:`PageState` gives a page its initial
values (``initial(query)``) and registers one clientside callback that keeps the address
bar in step with the controls (``history.replaceState``: no reload, no server round trip),
leaving out values equal to their default. A copied address reopens the view exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc

from dashboard import urlstate

FORMATS = ("plain", "point", "points", "json", "flag", "indices")


@dataclass(frozen=True)
class Field:
    key: str
    parse: Callable[[Any], Any]
    default: Any
    source: Any  # the dash Input whose value the URL mirrors
    # plain, point ("0.1,-0.5"), points ("a,b;c,d"), json, flag (1/0), indices ("3,5": whole
    # numbers, the values of hidden controls (None) left out)
    fmt: str = "plain"

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"unknown URL format {self.fmt!r}; choose one of {FORMATS}")


class PageState:
    """The URL fields of one page (see the module docstring)."""

    def __init__(self, store_id: str, fields: list[Field], register: bool = True):
        self.store_id = store_id
        self.fields = list(fields)
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate URL keys: {keys}")
        if register:  # a page module registers its writer once, at import
            self._register_writer()

    def initial(self, query: dict | None) -> dict:
        """Every field's value from the URL's ``query``, validated, else its default."""
        query = query if isinstance(query, dict) else {}
        out = {}
        for f in self.fields:
            value = f.parse(query.get(f.key)) if query.get(f.key) is not None else None
            out[f.key] = f.default if value is None else value
        return out

    def spec(self) -> list[dict]:
        """The fields as the page's URL writer reads them: [{key, fmt, default}]."""
        return [{"key": f.key, "fmt": f.fmt, "default": _js_default(f)} for f in self.fields]

    def store(self) -> dcc.Store:
        """The component the URL writer outputs to (place it in the page's layout); it holds
        the fields' spec and the last query written."""
        return dcc.Store(id=self.store_id, data={"fields": self.spec(), "query": None})

    def _register_writer(self) -> None:
        clientside_callback(
            ClientsideFunction(namespace="gx", function_name="writeUrlState"),
            Output(self.store_id, "data"),
            *[f.source for f in self.fields],
            State(self.store_id, "data"),
        )


def model_field(component_id: str, key: str = "model") -> Field:
    """The model menu's value (the page checks it against its list of models)."""
    return Field(
        key, lambda t: t if isinstance(t, str) else None, None, Input(component_id, "value")
    )


def point_field(key: str, slider_type: str, default=None, bound: float = 1.0) -> Field:
    """A latent point held by one slider per coordinate (pattern-matching ids), each in
    [-bound, bound] (a page whose sliders may hold a slice's coordinates checks their range
    again when it restores them, see :func:`restored_point`)."""
    from dash import ALL

    return Field(key, lambda text: urlstate.point_from_text(text, bound=bound), default,
                 Input({"type": slider_type, "index": ALL}, "value"), fmt="point")  # fmt: skip


def restored_point(
    init, key: str, dims: int, model_id: str | None = None, bound: float = 1.0
) -> list | None:
    """The point a shared URL gave for ``key`` (see :meth:`PageState.initial`), when it has
    ``dims`` coordinates in [-bound, bound] ([-1, 1]: the box; a slice's range for a slice's
    coordinates) and, if ``model_id`` is given, the URL was for that model;
    else None (the page's sliders start at its own default). The one way every page restores
    its sliders from the URL."""
    if not isinstance(init, dict) or (model_id is not None and init.get("model") != model_id):
        return None
    return _point_or_none(init.get(key), dims, bound)


def restored_points(init, key: str, dims: int, model_id: str | None = None,
                    limit: int = 64) -> list:  # fmt: skip
    """The valid points of a list a shared URL gave for ``key`` (morph's waypoints); at most
    ``limit``, malformed ones dropped."""
    if not isinstance(init, dict) or (model_id is not None and init.get("model") != model_id):
        return []
    listed = init.get(key) if isinstance(init.get(key), list) else []
    return [p for p in (_point_or_none(v, dims) for v in listed[:limit]) if p is not None]


def _point_or_none(values, dims: int, bound: float = 1.0) -> list | None:
    if not isinstance(values, (list, tuple)) or len(values) != dims:
        return None
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not -bound <= v <= bound:
            return None  # NaN fails the range test too
        out.append(round(float(v), 6))  # as typed, not a float32 artefact
    return out


def digit_field(key: str, component_id: str) -> Field:
    """A digit 0-9 (a CGAN label) held by a slider."""
    return Field(key, lambda t: urlstate.parse_int(t, 0, 9), 0, Input(component_id, "value"))


def _js_default(field: Field):
    """The default as the URL writer compares it (a formatted string, or None)."""
    d = field.default
    if field.fmt == "flag":
        return "1" if d else "0"
    if d is None or d == [] or d == "":
        return None
    if field.fmt == "json":
        return json.dumps(d, separators=(",", ":"))
    if field.fmt == "point":
        return _js_point(d)
    if field.fmt == "points":
        return ";".join(_js_point(p) for p in d)
    return str(d)


def _js_point(values) -> str:
    """A point as assets/urlstate.js writes it (2 decimals, no trailing zeros)."""

    def num(v: float) -> str:
        r = round(float(v) * 100) / 100
        return str(int(r)) if r == int(r) else repr(r)

    return ",".join(num(v) for v in values)


def parse_flag(text) -> bool | None:
    """ "1" -> True, "0" -> False (a checkbox); None when malformed."""
    return {"1": True, "0": False}.get(str(text)) if text is not None else None
