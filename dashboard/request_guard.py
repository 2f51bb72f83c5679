"""Request hygiene for the dashboard's server.

Anything a browser running this app would never send is answered 400 before Dash sees it:
bodies over :data:`MAX_REQUEST_BYTES` (413), non-JSON bodies, JSON that is not a callback
request, a callback request whose output, inputs or state do not match a registered
server-side callback, and values nested deeper than :data:`MAX_DEPTH`. What reaches a
callback is shaped like the browser's requests (its values are still untrusted: every
callback validates them, see ``dashboard/payloads.py``). An unexpected error is logged on the
server and answered with a plain 500 without a traceback.
"""

from __future__ import annotations

import json
import logging

from flask import Response, request
from werkzeug.exceptions import HTTPException

MAX_REQUEST_BYTES = 1 << 20  # the largest real callback request is a few kB
MAX_DEPTH = 24
MAX_WILDCARD_ITEMS = 64

log = logging.getLogger("dashboard")


class BadCallbackRequest(ValueError):
    pass


def _depth(value, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of lists/dicts, stopping early once it exceeds ``limit``."""
    stack, deepest = [(value, 1)], 0
    while stack:
        item, d = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, d)
            if deepest > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((c, d + 1) for c in children)
    return deepest


def _split_outputs(output: str) -> list[str]:
    """'..a.x...b.y..' -> ['a.x', 'b.y']; the '@hash' of duplicate outputs removed."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [p.split("@", 1)[0] for p in parts]


def _without_output_hash(item):
    """An output entry with the '@hash' Dash appends to duplicate outputs' properties removed.

    The browser sends ``{"id": "explore-map", "property": "figure@<hash>"}`` for an output
    declared with ``allow_duplicate=True``; the signature compares plain property names.
    """
    if isinstance(item, list):
        return [_without_output_hash(sub) for sub in item]
    if isinstance(item, dict) and isinstance(item.get("property"), str):
        return {**item, "property": item["property"].split("@", 1)[0]}
    return item


def _pattern(id_str: str):
    """The id as a dict for pattern-matching ids, else None."""
    if id_str.startswith("{"):
        try:
            return json.loads(id_str)
        except ValueError:
            return None
    return None


def _id_matches(pattern: dict, given) -> bool:
    if not isinstance(given, dict) or set(given) != set(pattern):
        return False
    for key, want in pattern.items():
        if isinstance(want, list):  # a wildcard: ["ALL"], ["MATCH"], ["ALLSMALLER"]
            if not isinstance(given[key], (str, int, float)) or isinstance(given[key], bool):
                return False
        elif given[key] != want:
            return False
    return True


def _check_item(spec: dict, item, where: str) -> int | None:
    """Check one entry of inputs/state/outputs; returns the list length for ALL patterns."""
    pattern = _pattern(spec["id"])
    prop = spec["property"]
    if pattern is not None and any(v == ["ALL"] or v == ["ALLSMALLER"] for v in pattern.values()):
        if not isinstance(item, list) or len(item) > MAX_WILDCARD_ITEMS:
            raise BadCallbackRequest(f"{where}: expected a short list for {spec['id']}")
        for sub in item:
            if not (isinstance(sub, dict) and sub.get("property") == prop
                    and _id_matches(pattern, sub.get("id"))):  # fmt: skip
                raise BadCallbackRequest(f"{where}: entry does not match {spec['id']}.{prop}")
        return len(item)
    if not isinstance(item, dict) or item.get("property") != prop:
        raise BadCallbackRequest(f"{where}: expected {spec['id']}.{prop}")
    if pattern is not None:
        ok = _id_matches(pattern, item.get("id"))
    else:
        ok = item.get("id") == spec["id"]
    if not ok:
        raise BadCallbackRequest(f"{where}: expected {spec['id']}.{prop}")
    return None


def _check_router_value(spec: dict, item) -> None:
    """Dash's page router (``_pages_location``) expects a URL path and query string."""
    if spec["id"] != "_pages_location" or not isinstance(item, dict):
        return
    value = item.get("value")
    if value is None:
        return
    if not isinstance(value, str) or len(value) > 4096:
        raise BadCallbackRequest(f"{spec['property']} must be a short string")
    if spec["property"] == "pathname" and not value.startswith("/"):
        raise BadCallbackRequest("pathname must start with /")


def check_callback_body(body, callbacks: dict[str, dict]) -> None:
    """Raise BadCallbackRequest unless ``body`` matches one registered callback's signature."""
    if not isinstance(body, dict):
        raise BadCallbackRequest("the body must be a JSON object")
    if _depth(body) > MAX_DEPTH:
        raise BadCallbackRequest("the body is nested too deeply")
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        raise BadCallbackRequest("unknown callback output")
    spec = callbacks[output]
    wildcard_lengths: dict[str, set[int]] = {}
    for field in ("inputs", "state"):
        given = body.get(field, [])
        if not isinstance(given, list) or len(given) != len(spec[field]):
            raise BadCallbackRequest(f"{field}: expected {len(spec[field])} entries")
        for s, item in zip(spec[field], given):
            n = _check_item(s, item, field)
            _check_router_value(s, item)
            if n is not None:
                wildcard_lengths.setdefault(s["id"], set()).add(n)
    if not spec.get("no_output"):
        names = _split_outputs(output)
        outputs = body.get("outputs")
        if len(names) == 1 and not output.startswith(".."):
            outputs = [outputs]
        if not isinstance(outputs, list) or len(outputs) != len(names):
            raise BadCallbackRequest(f"outputs: expected {len(names)} entries")
        for name, item in zip(names, outputs):
            id_str, prop = name.rsplit(".", 1)
            item = _without_output_hash(item)
            n = _check_item({"id": id_str, "property": prop}, item, "outputs")
            if n is not None:
                wildcard_lengths.setdefault(id_str, set()).add(n)
    # One pattern resolves to the same components everywhere in one request.
    if any(len(lengths) > 1 for lengths in wildcard_lengths.values()):
        raise BadCallbackRequest("one pattern-matching id was given different component lists")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise BadCallbackRequest("changedPropIds must be a list of strings")


def _parse_json_body():
    """The request's JSON body; BadCallbackRequest for anything else (413 passes through)."""
    if not request.is_json:
        raise BadCallbackRequest("the body must be application/json")
    data = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        return json.loads(data)
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        raise BadCallbackRequest("the body is not valid JSON") from exc


def server_callbacks(app) -> dict[str, dict]:
    """Registered server-side callbacks by output key (``app.callback_map``, which holds a
    ``callback`` function only for those the server runs), with their inputs and state."""
    return {key: spec for key, spec in app.callback_map.items() if "callback" in spec}


def install_request_guard(app) -> None:
    """Install the size limit, the callback-request check and the error handler."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    update_path = app.config.routes_pathname_prefix + "_dash-update-component"
    known: dict[str, dict] = {}

    @server.before_request
    def _check_callback_request():
        if request.path != update_path or request.method != "POST":
            return None
        if not known:
            known.update(server_callbacks(app))
        try:
            check_callback_body(_parse_json_body(), known)
        except BadCallbackRequest as exc:
            return Response(f"Bad callback request: {exc}", 400, mimetype="text/plain")
        return None

    @server.errorhandler(Exception)
    def _no_traceback(exc):
        if isinstance(exc, HTTPException):
            return exc
        log.exception("error while serving %s", request.path)
        return Response("Internal server error", 500, mimetype="text/plain")
