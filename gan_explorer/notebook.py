"""Explore a generator from Python or Jupyter: ``explore(generator)`` stores it as an upload
and serves the dashboard on it in a background thread.

    from gan_explorer import explore
    handle = explore(generator, prior="normal")   # a keras.Model or a .keras file
    handle.url                                     # http://127.0.0.1:PORT/explore?model=ID
    handle.stop()                                  # shuts the server down, frees the port

The generator (and a classifier or discriminator given with it) is saved with
``model.save`` to a temporary ``.keras`` file and imported through the same path as the
home page's upload form (:func:`gan_core.uploaded_generators.import_generator`: safe-mode
loading, shape checks, a content-addressed id) into the uploads folder, so the model is
also there for ``gan-explorer serve`` later. Inside a Jupyter kernel the server is started
through Dash's own Jupyter support (``app.run(jupyter_mode=...)``) and the explorer page is
shown inline in an iframe; elsewhere the URL is printed. Bad input raises with the reason
and leaves nothing running and no new upload behind.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path

from gan_explorer.harness import free_port

DEFAULT_PRIOR = "uniform[-1,1]"
JUPYTER_MODES = ("inline", "external")
_running: list[ExplorerHandle] = []  # handles serving in this process
_start_lock = threading.Lock()


class ExploreError(ValueError):
    """A generator, classifier, discriminator, prior or port that ``explore`` cannot use."""


class ExplorerHandle:
    """The dashboard serving one model: ``url`` opens its explorer page, ``stop()`` ends it."""

    def __init__(self, model_id: str, host: str, port: int, uploads: Path, server, thread):
        self.model_id = model_id
        self.host = host
        self.port = int(port)
        self.uploads = Path(uploads)
        self._server = server
        self._thread = thread
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The explorer page on this model."""
        return f"{self.base_url}/explore?model={self.model_id}"

    @property
    def running(self) -> bool:
        return not self._stopped.is_set()

    def stop(self) -> None:
        """Shut the server down and free its port (calling it again does nothing)."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            try:
                self._server.shutdown()  # ends serve_forever in the server's thread
            finally:
                self._server.server_close()  # closes the listening socket: the port is free
                _forget_jupyter_server(self.host, self.port, self._server)
                if self._thread is not None:
                    self._thread.join(timeout=10)
                self._stopped.set()
                if self in _running:
                    _running.remove(self)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the server is stopped (or ``timeout`` seconds pass; Ctrl-C stops
        it): for a script that only serves. Returns whether it has stopped."""
        try:
            return self._stopped.wait(timeout)
        except KeyboardInterrupt:
            self.stop()
            return True

    def __enter__(self) -> ExplorerHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<ExplorerHandle {self.model_id} at {self.url} ({state})>"

    def _repr_html_(self) -> str:
        from html import escape

        if not self.running:
            return f"<code>{escape(self.model_id)}</code>: stopped"
        url = escape(self.url, quote=True)
        return (
            f'<code>{escape(self.model_id)}</code>: <a href="{url}" target="_blank">{url}</a> '
            "(<code>.stop()</code> ends it)"
        )


def explore(
    generator,
    classifier=None,
    class_names=None,
    prior: str | None = DEFAULT_PRIOR,
    discriminator=None,
    port: int | None = None,
    dataset: str | None = None,
    *,
    host: str = "127.0.0.1",
    uploads: str | os.PathLike | None = None,
    jupyter_mode: str = "inline",
    height: int = 800,
) -> ExplorerHandle:
    """Serve the dashboard on ``generator`` and return at once.

    Args:
        generator: a Keras model (one input (None, d), 2 <= d <= 512; an image output
            (None, H, W[, C])) or the path of its ``.keras`` file.
        classifier: its own classifier (a Keras model or ``.keras`` path) that names the
            classes its maps show; without one a 28x28 grey generator is coloured by the
            bundled classifier of ``dataset`` (default MNIST's digits).
        class_names: the classifier's class names (a list, or JSON / one name a line).
        prior: the latent prior it was trained on: ``"uniform[-1,1]"`` (default),
            ``"normal"`` (the TensorFlow DCGAN tutorial's), ``"normal(0,2)"``...
        discriminator: its discriminator (model or path), for the 2-D map's realism colouring.
        port: the port to serve on (default: a free one).
        dataset: the bundled dataset it was trained on (``"mnist"``, ``"fashion-mnist"``).
        host: the address to serve on.
        uploads: the uploads folder it is stored in (default: $GAN_EXPLORER_UPLOADS or
            ``.cache/uploads``, where ``gan-explorer serve`` finds it too).
        jupyter_mode: in Jupyter, ``"inline"`` shows the page in the output cell,
            ``"external"`` only its link.
        height: the inline view's height in pixels.

    Returns:
        An :class:`ExplorerHandle` (``.url``, ``.model_id``, ``.stop()``).
    Raises:
        ExploreError (or TypeError for a wrong kind of argument): nothing is left running
        and no new upload stays behind.
    """
    from gan_core.checkpoints import CheckpointError
    from gan_core.uploaded_generators import uploads_root

    prior_spec = _check_prior(prior)
    port = _check_port(host, port)
    if jupyter_mode not in JUPYTER_MODES:
        raise ExploreError(
            f"jupyter_mode must be one of {', '.join(JUPYTER_MODES)}, not {jupyter_mode!r}"
        )
    folder = uploads_root(uploads)
    with _start_lock:
        _check_same_uploads(folder)
        files = {
            "generator": _keras_file(generator, "generator"),
            "classifier": None if classifier is None else _keras_file(classifier, "classifier"),
            "discriminator": (
                None if discriminator is None else _keras_file(discriminator, "discriminator")
            ),
        }
        try:
            model_id, created = _store(files, folder, prior_spec, class_names, dataset)
        except CheckpointError as exc:
            raise ExploreError(str(exc)) from None
        try:
            return _serve(model_id, folder, host, port, jupyter_mode, height)
        except BaseException:
            if created:
                _remove_model(model_id, folder)
            raise


# --- checks ------------------------------------------------------------------------------


def _check_prior(prior) -> str:
    from gan_core.priors import Prior

    try:
        return Prior.parse(DEFAULT_PRIOR if prior is None else prior).spec
    except ValueError as exc:
        raise ExploreError(f"bad prior {prior!r}: {exc}") from None


def _check_port(host: str, port) -> int | None:
    """``port``, refused when it is not a port or is in use (None: a free one later)."""
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ExploreError(f"port must be an integer from 1 to 65535, not {port!r}")
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
        try:
            s.bind((host, port))
        except OSError as exc:
            raise ExploreError(f"port {port} on {host} is in use ({exc.strerror})") from None
    return port


def _check_same_uploads(folder: Path) -> None:
    """The dashboard's model registry is one per process: every explorer running in it
    must share the uploads folder."""
    for handle in list(_running):
        if handle.running and handle.uploads.resolve() != folder.resolve():
            raise ExploreError(
                f"an explorer on another uploads folder ({handle.uploads}) is running in this "
                f"process at {handle.base_url}; stop it first"
            )


def _keras_file(model, role: str) -> tuple[bytes, str]:
    """(the bytes of ``model``'s .keras file, its file name): a Keras model is saved with
    ``model.save`` to a temporary file; a path is read."""
    from gan_core.uploaded_generators import MAX_UPLOAD_BYTES

    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        if path.suffix.lower() != ".keras":
            raise ExploreError(f"{role}: {path} is not a .keras file (Keras 3's format)")
        if not path.is_file():
            raise ExploreError(f"{role}: no such file: {path}")
        with open(path, "rb") as fh:
            return fh.read(MAX_UPLOAD_BYTES + 1), path.name
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(
            f"{role} must be a keras.Model or the path of a .keras file, not {type(model).__name__}"
        )
    name = f"{_file_stem(model.name, role)}.keras"
    with tempfile.TemporaryDirectory(prefix="gan-explorer-") as tmp:
        path = Path(tmp) / name
        try:
            model.save(path)
        except Exception as exc:  # noqa: BLE001 - Keras raises many types for unsavable models
            raise ExploreError(
                f"{role}: cannot save it as .keras: {type(exc).__name__}: {exc}"
            ) from None
        return path.read_bytes(), name


def _file_stem(name, role: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(name or "")).strip("-_")
    return stem[:40] or role


# --- storing ------------------------------------------------------------------------------


def _store(files: dict, folder: Path, prior: str, class_names, dataset) -> tuple[str, bool]:
    """Import the generator (with its classifier) into ``folder``, check the dashboard can
    load it, add the discriminator; (model id, whether this call created it)."""
    from gan_core.uploaded_generators import import_generator

    data, filename = files["generator"]
    extra = _labelling_arguments(files["classifier"], class_names, dataset)
    before = _model_folders(folder)
    model_id = import_generator(data, filename, folder, prior=prior, **extra)
    created = model_id not in before
    try:
        explorer = _load(model_id, folder)
        if files["discriminator"] is not None:
            _add_discriminator(explorer, files["discriminator"], folder)
    except BaseException:
        if created:
            _remove_model(model_id, folder)
        raise
    return model_id, created


def _labelling_arguments(classifier, class_names, dataset) -> dict:
    """import_generator's keyword arguments for a classifier, class names and dataset."""
    extra = {"class_names": class_names, "dataset": dataset}
    if classifier is not None:
        extra["classifier"], extra["classifier_filename"] = classifier
    return extra


def _model_folders(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_dir()} if folder.is_dir() else set()


def _load(model_id: str, folder: Path):
    """The model as the dashboard loads it (its classifier found, its shapes checked)."""
    from gan_core.explorer import LatentExplorer

    return LatentExplorer.from_checkpoint(model_id, folder)


def _add_discriminator(explorer, file: tuple[bytes, str], folder: Path) -> None:
    """Store a discriminator that takes the generator's images and gives one logit."""
    from gan_core.checkpoints import CheckpointError, atomic_write_bytes, load_keras_model
    from gan_core.uploaded_generators import MAX_UPLOAD_BYTES

    data, _name = file
    if len(data) > MAX_UPLOAD_BYTES:
        raise ExploreError(f"discriminator: larger than {MAX_UPLOAD_BYTES // 2**20} MiB")
    with tempfile.TemporaryDirectory(prefix="gan-explorer-") as tmp:
        path = Path(tmp) / "discriminator.keras"
        path.write_bytes(data)
        try:
            model = load_keras_model(path)
        except CheckpointError as exc:
            raise ExploreError(f"discriminator: {exc}") from None
    image = tuple(explorer.image_shape)
    inputs = [tuple(t.shape[1:]) for t in model.inputs]
    if len(inputs) != 1 or inputs[0] not in (image, image[:2] if image[2] == 1 else image):
        raise ExploreError(f"discriminator: takes {inputs}, not the generator's images {image}")
    outputs = [tuple(t.shape[1:]) for t in model.outputs]
    if outputs != [(1,)]:
        raise ExploreError(f"discriminator: gives {outputs}, not one logit (None, 1)")
    atomic_write_bytes(explorer.checkpoint.path / "discriminator.keras", data)


def _colouring(model_id: str, folder: Path) -> str:
    """Which classifier colours the model's maps, e.g. "the bundled MNIST classifier"."""
    from gan_core.uploaded_generators import labelling_note

    return f"maps coloured by {labelling_note(model_id, folder)}"


def _remove_model(model_id: str, folder: Path) -> None:
    from gan_core.checkpoints import resolve_model_dir

    shutil.rmtree(resolve_model_dir(model_id, folder), ignore_errors=True)


# --- serving ------------------------------------------------------------------------------


def _serve(model_id, folder, host, port, jupyter_mode, height) -> ExplorerHandle:
    from dashboard.app import create_app

    app = create_app(uploads=folder)
    in_jupyter = _in_jupyter()
    if in_jupyter:
        handle = _serve_in_jupyter(app, model_id, folder, host, port, jupyter_mode)
    else:
        handle = _serve_in_thread(app, model_id, folder, host, port)
    try:
        if in_jupyter:
            _show_in_jupyter(app, handle, jupyter_mode, height)
        else:
            print(f"exploring {model_id} ({_colouring(model_id, folder)}) at {handle.url}; "
                  ".stop() ends it", flush=True)  # fmt: skip
    except BaseException:
        handle.stop()
        raise
    _running.append(handle)
    return handle


def _serve_in_thread(app, model_id, folder, host, port) -> ExplorerHandle:
    """werkzeug's threaded server on ``port`` in a daemon thread (no request log)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    try:
        server = make_server(
            host, port or 0, app.server, threaded=True, request_handler=QuietHandler
        )
    except OSError as exc:
        raise ExploreError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    thread = threading.Thread(target=server.serve_forever, name=f"gan-explorer-{port}", daemon=True)
    thread.start()
    return ExplorerHandle(model_id, host, server.port, folder, server, thread)


def _in_jupyter() -> bool:
    """Whether this runs in a Jupyter kernel (or Colab) with Dash's Jupyter support."""
    try:
        from dash._jupyter import jupyter_dash
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return bool(
        jupyter_dash.active
        and shell is not None
        and (jupyter_dash.in_colab or getattr(shell, "kernel", None) is not None)
    )


def _serve_in_jupyter(app, model_id, folder, host, port, jupyter_mode) -> ExplorerHandle:
    """Start the server with Dash's Jupyter support (its thread, its readiness check, the
    notebook proxy's path prefix when known), showing nothing yet (in Colab, Dash shows
    the app itself: Colab reaches the kernel's ports only through its own frame)."""
    from dash._jupyter import jupyter_dash

    port = port or free_port(host)
    mode = jupyter_mode if jupyter_dash.in_colab else "_none"
    try:
        app.run(host=host, port=port, debug=False, jupyter_mode=mode)
    except OSError as exc:
        raise ExploreError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    server = jupyter_dash._servers.get((host, port))
    if server is None:  # pragma: no cover - Dash keeps each server it started there
        raise ExploreError("Dash's Jupyter support did not start a server")
    return ExplorerHandle(model_id, host, port, folder, server, None)


def _show_in_jupyter(app, handle: ExplorerHandle, mode: str, height: int) -> None:
    """The explorer page inline in an iframe (``mode`` "inline") or its link."""
    from dash._jupyter import jupyter_dash
    from IPython.display import HTML, IFrame, display

    if jupyter_dash.in_colab:
        return
    url = _display_url(app, handle)
    if mode == "inline":
        display(IFrame(url, width="100%", height=int(height)))
    else:
        from html import escape

        display(HTML(f'<a href="{escape(url, quote=True)}" target="_blank">{escape(url)}</a>'))


def _display_url(app, handle: ExplorerHandle) -> str:
    """The page's URL as the notebook's browser reaches it: through the Jupyter server's
    proxy when Dash was told of one (``jupyter_dash.infer_jupyter_proxy_config()``)."""
    from dash import _jupyter

    server_url = (_jupyter._jupyter_config.get("server_url") or handle.base_url).rstrip("/")
    prefix = app.config.get("requests_pathname_prefix") or "/"
    return f"{server_url}{prefix}explore?model={handle.model_id}"


def _forget_jupyter_server(host: str, port: int, server) -> None:
    try:
        from dash._jupyter import jupyter_dash
    except ImportError:  # pragma: no cover
        return
    if jupyter_dash._servers.get((host, port)) is server:
        del jupyter_dash._servers[(host, port)]
