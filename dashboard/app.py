"""The Dash app: pages, the background-callback manager and the server entry points."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import dash
from dash import Dash, dcc, html

from dashboard import registry
from dashboard import uploads as upload_route
from dashboard.request_guard import install_request_guard

ASSETS = Path(__file__).resolve().parent.parent / "assets"
PAGES = ("home", "explore", "morph", "cgan", "activations", "training", "invert", "compare")


def background_manager(cache_dir: Path | None = None):
    """Celery (when REDIS_URL is set) or an embedded disk cache for background callbacks."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        from dashboard.worker import celery_app

        return dash.CeleryManager(celery_app)
    import diskcache

    folder = Path(cache_dir or registry.cache().directory).parent / "callbacks"
    return dash.DiskcacheManager(diskcache.Cache(str(folder)))


def create_app(
    checkpoints=None, cache_dir=None, grid_2d: int = 100, cube_n: int = 16, uploads=None
) -> Dash:
    """A configured app; grid sizes are parameters so tests can use small maps."""
    registry.configure(checkpoints, cache_dir, grid_2d, cube_n, uploads)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title="GAN latent-space explorer",
        suppress_callback_exceptions=True,
        background_callback_manager=background_manager(registry.SETTINGS.cache_dir),
    )
    for page in PAGES:
        importlib.import_module(f"dashboard.pages.{page}")
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
                        id="nav",
                    ),  # fmt: skip
                ],
                className="topbar",
            ),
            html.Main(dash.page_container, className="page"),
        ]
    )
    install_request_guard(app)
    upload_route.register(app)
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
