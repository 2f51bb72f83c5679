"""The Dash app: pages, navigation, the request guard and the server entry point. Long work
(maps) runs in dashboard/jobs.py or the Celery worker, not in background callbacks."""

from __future__ import annotations

import importlib
from pathlib import Path

import dash
import flask
from dash import Dash, dcc, html

from dashboard import ids, live, registry
from dashboard import uploads as upload_route
from dashboard.request_guard import install_request_guard

ASSETS = Path(__file__).resolve().parent.parent / "assets"
PAGES = ("home", "explore", "morph", "cgan", "activations", "training", "invert", "compare")


# The callbacks the pages declare with ``dash.callback``, as they stood after the pages were
# first imported: Dash moves them out of its global lists into the first app that serves a
# request, so a second app in the same process (tests make several) would get none.
_PAGE_CALLBACKS: tuple | None = None
_GLOBALS = (
    "GLOBAL_CALLBACK_MAP",
    "GLOBAL_CALLBACK_LIST",
    "GLOBAL_INLINE_SCRIPTS",
    "GLOBAL_API_PATHS",
)


def _give_this_app_the_page_callbacks() -> None:
    """Put the pages' callbacks back into Dash's global lists for the app being made."""
    from dash import _callback

    global _PAGE_CALLBACKS
    present = [name for name in _GLOBALS if hasattr(_callback, name)]
    if _PAGE_CALLBACKS is None:
        _PAGE_CALLBACKS = tuple((name, _copy(getattr(_callback, name))) for name in present)
        return
    for name, saved in _PAGE_CALLBACKS:
        target = getattr(_callback, name)
        target.clear()
        if isinstance(target, dict):
            target.update(_copy(saved))
        else:
            target.extend(_copy(saved))


def _copy(items):
    """A copy one level deep: an app fills in its callbacks' dicts as it sets them up."""
    if isinstance(items, dict):
        return {k: dict(v) if isinstance(v, dict) else v for k, v in items.items()}
    return [dict(v) if isinstance(v, dict) else v for v in items]


def create_app(
    checkpoints=None, cache_dir=None, grid_2d: int = 100, cube_n: int = 16, uploads=None
) -> Dash:
    """A configured app; grid sizes are parameters so tests can use small maps."""
    registry.configure(checkpoints, cache_dir, grid_2d, cube_n, uploads)
    server = flask.Flask(__name__)
    # Compress what the page downloads once: the runtime's .wasm (14 MB -> ~4 MB), the graphs.
    server.config.update(
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_MIMETYPES=["text/html", "text/css", "application/json", "application/javascript",
                            "text/javascript", "application/wasm", "application/octet-stream"],
    )  # fmt: skip
    app = Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title="GAN latent-space explorer",
        suppress_callback_exceptions=True,
        compress=True,
        # Dash loads every .js in assets/ as a classic script, but not these folders: the
        # vendored runtime (loaded on demand) and the page's ES modules in assets/live/,
        # which assets/live.js imports (see dashboard/live.py).
        assets_path_ignore=["vendor", "^live$"],
    )
    for page in PAGES:
        importlib.import_module(f"dashboard.pages.{page}")
    _give_this_app_the_page_callbacks()
    app.layout = html.Div(
        [
            html.Header(
                [
                    html.Div("GAN latent-space explorer", className="brand"),
                    html.Nav(
                        [
                            dcc.Link(page["name"], href=page["relative_path"], className="nav-link")
                            for page in sorted(
                                dash.page_registry.values(), key=lambda p: p["order"]
                            )
                        ],
                        id=ids.NAV,
                    ),  # fmt: skip
                ],
                className="topbar",
            ),
            html.Main(dash.page_container, className="page"),
        ]
    )
    install_request_guard(app)
    upload_route.register(app)
    live.register(app)
    return app


def run_server(
    host: str = "127.0.0.1", port: int = 8050, checkpoints=None, debug: bool = False
) -> int:
    """`gan-explorer serve`: answer at once while the maps fill in the background (the
    overall progress in the terminal, each view the progress of the map it needs)."""
    from dashboard import precompute

    app = create_app(checkpoints)
    precompute.fill_in_background()
    print(f"serving on http://{host}:{port} (class maps fill in the background)", flush=True)
    app.run(host=host, port=port, debug=debug)
    return 0
