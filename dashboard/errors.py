"""One error path for every page callback.

``page_callback(..., error_box=ID)`` is ``dash.callback`` with Dash's ``on_error``: when
the body raises, every output keeps its last good value and the page's error box gets a
one-line message (:func:`user_error`: the reason for bad input or an unusable model, never
a traceback; internal errors go to the server log). A body that returns clears the box.
Callbacks raise; they do not catch.
"""

from __future__ import annotations

import functools
import logging

import dash
from dash import set_props

from gan_core.checkpoints import CheckpointError
from gan_core.export import ExportError
from gan_core.latent import LatentInputError

log = logging.getLogger("gan_explorer.dashboard")


def user_error(exc: Exception) -> str:
    """A one-line message for the error box; internal errors never show a traceback."""
    if isinstance(exc, (LatentInputError, CheckpointError, ExportError)):
        return str(exc)
    return f"Something went wrong ({type(exc).__name__}); the view keeps its last good state."


def concrete_id(component_id):
    """``component_id`` with any MATCH wildcard filled in from the running callback's own
    outputs (a component's error box in a MATCH callback); string ids as they are."""
    if not isinstance(component_id, dict):
        return component_id
    wild = [k for k, v in component_id.items() if v == dash.MATCH]
    if not wild:
        return component_id
    ctx = dash.ctx  # named outputs come grouped (their flat list is deprecated for them)
    first = _first_output_id(
        ctx.outputs_grouping if ctx.using_outputs_grouping else ctx.outputs_list
    )
    if not isinstance(first, dict) or not all(k in first for k in wild):
        return component_id  # not a request this page made: nothing to fill in from
    return {**component_id, **{k: first[k] for k in wild}}


def _first_output_id(outputs):
    """The id of the first output in Dash's (possibly nested, grouped) output description."""
    if isinstance(outputs, dict) and "id" in outputs and "property" in outputs:
        return outputs["id"]
    for item in outputs.values() if isinstance(outputs, dict) else outputs:
        found = _first_output_id(item)
        if found is not None:
            return found
    return None


def report(error_box, also: dict | None, exc: Exception) -> None:
    """Show ``exc`` in ``error_box`` (and log it when it is not the user's input); ``also``
    ({component id: props}) is set too, e.g. to stop a poll."""
    message = str(exc) if getattr(exc, "user_facing", False) else user_error(exc)
    if message.startswith("Something went wrong"):
        log.error("callback failed", exc_info=exc)
    set_props(concrete_id(error_box), {"children": message})
    for component, props in (also or {}).items():
        set_props(concrete_id(component), props)


def page_callback(
    *dependencies, error_box, clears: bool = True, on_failure: dict | None = None, **kwargs
):
    """``dash.callback`` whose failures are reported in ``error_box`` (see module doc);
    ``clears=False`` for helpers (polls) whose success says nothing about the view;
    ``on_failure`` ({component id: props}) is set as well when the body raises. In a
    component's MATCH callback, ``error_box`` may hold MATCH too."""

    def register(func):
        @functools.wraps(func)
        def run(*args, **kw):
            out = func(*args, **kw)
            if clears:
                set_props(concrete_id(error_box), {"children": ""})
            return out

        return dash.callback(
            *dependencies, on_error=functools.partial(report, error_box, on_failure), **kwargs
        )(run)

    return register
