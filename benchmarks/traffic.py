"""Record what a browser sends to the explorer, and replay it from many users.

:func:`record` opens ``/explore?model=<id>`` in headless Chromium with Chrome's
performance log on (CDP ``Network.*`` events), lets the page load (the page, Dash's
layout and callback list, its scripts, the first callbacks, the in-page generator's
graph and runtime, a 3D model's class cubes), then drags the first latent slider with
trusted CDP mouse events and lets it go. Every request the page made to the app is kept
as the browser sent it: method, URL, JSON body, and what the response said about caching.
The requests before the drag are the page's load; those after it are the release's (on
the explorer the page draws each step itself, so only letting go reaches the server).

:func:`replay` sends those requests from many users at once: each user loads the page (the
first time as a new visitor, later with the browser's cache: long-cached files skipped,
the others revalidated with their ``ETag``), then lets go of the slider at new points,
every release at another point (a random walk within the sliders' range, put wherever
the recorded release carried the point). A response is an error when its HTTP status is
not 2xx (or 304 to a revalidation), or when a Dash callback response writes a message
into one of the page's error boxes (``role=alert`` elements; ``dashboard/errors.py``
reports a callback's failure that way, with HTTP 200).

Only what a browser sees is used: the DOM (the sliders' ``role=slider`` thumbs and their
``aria-value*``, the ``role=alert`` boxes) and the network. When a callback's shape changes,
the next recording carries the new shape.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from gan_explorer.harness import chromium_paths, headless_chromium

UPDATE = "/_dash-update-component"
# The latent sliders' thumbs (their min is below 0: the slice index slider starts at 0).
THUMBS_JS = """
return Array.from(document.querySelectorAll('[role=slider]'))
  .filter(t => t.closest('[id*="slider"]') && Number(t.getAttribute('aria-valuemin')) < 0
               && t.getBoundingClientRect().width > 0)
  .map(t => { const r = t.getBoundingClientRect();
              const box = (t.closest('.dash-slider-root') || t.parentElement).getBoundingClientRect();
              return {x: r.x + r.width / 2, y: r.y + r.height / 2, left: box.x, right: box.right,
                      min: Number(t.getAttribute('aria-valuemin')),
                      max: Number(t.getAttribute('aria-valuemax')),
                      now: Number(t.getAttribute('aria-valuenow'))}; });
"""
ALERTS_JS = """
return Array.from(document.querySelectorAll('[role=alert]'))
  .map(e => [e.id, (e.innerText || '').trim()]);
"""


class RecordingError(RuntimeError):
    """The scripted visit did not produce usable traffic."""


@dataclass
class Request:
    """One request as the browser sent it."""

    method: str
    path: str  # path and query
    body: str | None
    kind: str
    phase: str  # "load" or "release"
    cached: bool = False  # the response may be kept (max-age > 0): a returning visitor skips it


@dataclass
class Recording:
    model: str
    requests: list[Request]
    error_boxes: list[str]  # ids of the page's error boxes
    point: list[float]  # the sliders' values after the release
    low: float = -1.0
    high: float = 1.0
    step: float = 0.01

    @property
    def load(self) -> list[Request]:
        return [r for r in self.requests if r.phase == "load"]

    @property
    def release(self) -> list[Request]:
        return [r for r in self.requests if r.phase == "release"]

    def to_json(self) -> dict:
        return {**self.__dict__, "requests": [r.__dict__ for r in self.requests]}


# --- naming the requests ---------------------------------------------------------------


def _short_id(id_str: str) -> str:
    """'explore-image' as it is; a pattern-matching id as its values ('latent-view/figure')."""
    if id_str.startswith("{"):
        try:
            parts = json.loads(id_str)
        except ValueError:
            return id_str
        keep = [str(v) for k, v in sorted(parts.items()) if k not in ("aio_id", "index")]
        return "/".join(keep) or id_str
    return id_str


def callback_name(body: dict) -> str:
    """A short name of a callback request from its outputs, e.g. 'latent-view: figure, proj,
    slices, w-index, redraw' or 'explore-sliders'."""
    output = body.get("output", "?")
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    groups: dict[str, list[str]] = {}
    for part in parts:
        id_str = part.split("@", 1)[0].rpartition(".")[0]
        head, _, tail = _short_id(id_str).partition("/")
        groups.setdefault(head, [])
        if tail and tail not in groups[head]:
            groups[head].append(tail)
    text = "; ".join(f"{h}: {', '.join(t)}" if t else h for h, t in groups.items())
    return text if len(text) <= 64 else text[:61] + "..."


def request_kind(method: str, path: str, body: str | None) -> str:
    route = urlsplit(path).path
    if method == "POST" and route == UPDATE:
        try:
            return "callback " + callback_name(json.loads(body or "{}"))
        except ValueError:
            return "callback ?"
    if route.startswith("/browser-models/"):
        return "graph download"
    if route.startswith("/class-cubes"):
        return "cube download"
    if route.endswith(".wasm"):
        return "runtime download"
    if route.startswith(("/_dash-component-suites/", "/assets/")):
        return "static file"
    return f"{method} {route}"


# --- the error boxes -------------------------------------------------------------------


def _is_error_box(id_str: str, boxes) -> bool:
    return id_str in boxes or "error" in id_str.lower()


def _text(children) -> str:
    if children is None:
        return ""
    if isinstance(children, str):
        return children.strip()
    if isinstance(children, list):
        return " ".join(t for t in (_text(c) for c in children) if t)
    if isinstance(children, dict):  # a component
        return _text(children.get("props", {}).get("children"))
    return str(children)


def callback_errors(payload, boxes=()) -> list[str]:
    """The messages a Dash callback response puts into the page's error boxes: its
    ``sideUpdate`` (``set_props``, how dashboard/errors.py reports a failure) and its
    outputs, for each id that is an error box (in ``boxes``, or named '...error...')."""
    if not isinstance(payload, dict):
        return ["the callback response is not a JSON object"]
    found = []
    for section in ("sideUpdate", "response"):
        updates = payload.get(section) or {}
        if not isinstance(updates, dict):
            continue
        for id_str, props in updates.items():
            if not isinstance(props, dict) or not _is_error_box(str(id_str), boxes):
                continue
            message = _text(props.get("children"))
            if message:
                found.append(f"{_short_id(str(id_str))}: {message}")
    return found


def response_error(method, path, status, body: bytes | str, boxes=(), conditional=False):
    """Why a response counts as an error (None when it does not)."""
    if not (200 <= status < 300 or (status == 304 and conditional)):
        text = body.decode(errors="replace") if isinstance(body, bytes) else body
        return f"HTTP {status}: {text.strip()[:120]}"
    if method == "POST" and urlsplit(path).path == UPDATE and status == 200:
        try:
            payload = json.loads(body)
        except ValueError:
            return "the callback response is not JSON"
        found = callback_errors(payload, boxes)
        if found:
            return "; ".join(found)
    return None


# --- recording -------------------------------------------------------------------------


def start_browser(profile: Path):
    if not all(chromium_paths()):
        raise RecordingError("chromium and chromedriver are needed to record the traffic")
    return headless_chromium(1280, 800, profile=profile, browser_log=True, performance_log=True)


class _Network:
    """The page's requests from the performance log (drained as they come)."""

    def __init__(self, drv, origin: str):
        self.drv, self.origin = drv, origin
        self.requests: dict[str, dict] = {}  # requestId -> what is known
        self.order: list[str] = []
        self.last_event = time.monotonic()

    def poll(self) -> None:
        for entry in self.drv.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            method, params = msg.get("method", ""), msg.get("params", {})
            rid = params.get("requestId")
            if method == "Network.requestWillBeSent":
                req = params["request"]
                if not req["url"].startswith(self.origin):
                    continue
                if rid in self.requests:  # a redirect reuses the id: keep the last hop
                    self.requests[rid].update(url=req["url"], method=req["method"])
                    continue
                body = req.get("postData")
                if body is None and req.get("hasPostData"):
                    try:
                        body = self.drv.execute_cdp_cmd(
                            "Network.getRequestPostData", {"requestId": rid}
                        )["postData"]
                    except Exception as exc:  # noqa: BLE001
                        raise RecordingError(f"no body for {req['url']}: {exc}") from exc
                self.requests[rid] = {"url": req["url"], "method": req["method"], "body": body,
                                      "done": False, "status": None, "headers": {}}  # fmt: skip
                self.order.append(rid)
                self.last_event = time.monotonic()
            elif rid in self.requests:
                if method == "Network.responseReceived":
                    resp = params["response"]
                    self.requests[rid]["status"] = resp.get("status")
                    self.requests[rid]["headers"] = {k.lower(): v for k, v in
                                                     (resp.get("headers") or {}).items()}  # fmt: skip
                elif method in ("Network.loadingFinished", "Network.loadingFailed"):
                    self.requests[rid]["done"] = True
                    if method == "Network.loadingFailed":
                        self.requests[rid]["failed"] = params.get("errorText", "failed")
                self.last_event = time.monotonic()

    def settle(self, quiet: float = 1.5, timeout: float = 180.0) -> None:
        """Wait until no request is open and none started for ``quiet`` seconds."""
        deadline, pending = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            self.poll()
            pending = [r["url"] for r in self.requests.values() if not r["done"]]
            if not pending and time.monotonic() - self.last_event >= quiet:
                return
            time.sleep(0.1)
        raise RecordingError(
            f"the page's requests did not settle in {timeout:.0f} s: {pending[:3]}"
        )

    def take(self) -> list[dict]:
        """The requests seen since the last call, in the order they were sent."""
        out = [self.requests[rid] for rid in self.order]
        self.order = []
        return out


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - the page may still be rendering
            last = exc
        time.sleep(0.1)
    raise RecordingError(f"timed out waiting for {what} (last: {last!r})")


def _to_requests(seen: list[dict], phase: str, origin: str) -> list[Request]:
    out = []
    for r in seen:
        if r.get("failed"):
            raise RecordingError(f"the browser's request failed: {r['method']} {r['url']}: "
                                 f"{r['failed']}")  # fmt: skip
        status = r["status"] or 0
        if not (200 <= status < 400):
            raise RecordingError(f"the app answered the browser {status}: {r['method']} {r['url']}")
        path = r["url"][len(origin) :] or "/"
        cache = r["headers"].get("cache-control", "")
        ages = [int(a) for a in re.findall(r"max-age=(\d+)", cache)]
        cached = bool(ages and ages[0] > 0 and "no-cache" not in cache and "no-store" not in cache)
        kind = f"{phase}: {request_kind(r['method'], path, r['body'])}"
        out.append(Request(r["method"], path, r["body"], kind, phase, cached))
    return out


def record(base: str, model: str, drag_px: int = 60, timeout: float = 180.0,
           warm: bool = True) -> Recording:  # fmt: skip
    """Visit ``base``/explore?model=``model`` in headless Chromium, drag the first latent
    slider by ``drag_px`` and let go; every request the page sent to ``base``.

    ``warm``: visit once before recording (then empty the browser's cache), so that what is
    recorded is a visit to a server whose maps and exported graph are ready, not the
    first visitor's progress polls."""
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    url = f"{base}/explore?model={model}"
    profile = Path(tempfile.mkdtemp(prefix="gx-record-"))
    drv = start_browser(profile)
    try:
        net = _Network(drv, origin)
        if warm:
            drv.get(url)
            _wait(lambda: drv.execute_script(THUMBS_JS), 90, "the latent sliders")
            net.settle(timeout=timeout)
            drv.get("about:blank")  # what was still in flight is cancelled, not recorded
            drv.execute_cdp_cmd("Network.clearBrowserCache", {})
            time.sleep(0.5)
            net.poll()
            net.requests.clear()
            net.order.clear()
        drv.get(url)
        _wait(lambda: drv.execute_script(THUMBS_JS), 90, "the latent sliders")
        net.settle(timeout=timeout)
        alerts = drv.execute_script(ALERTS_JS)
        shown = [f"{i}: {t}" for i, t in alerts if t]
        if shown:
            raise RecordingError(f"the page shows an error after loading: {shown}")
        load = net.take()

        thumbs = drv.execute_script(THUMBS_JS)  # laid out by now
        first = thumbs[0]
        y = int(first["y"])

        def mouse(kind: str, x: float) -> None:
            drv.execute_cdp_cmd(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": int(x), "y": y, "button": "left",
                 "buttons": 0 if kind == "mouseReleased" else 1,
                 "clickCount": 0 if kind == "mouseMoved" else 1},
            )  # fmt: skip

        x = first["x"]
        target = (
            min(first["right"] - 2, x + drag_px) if x + drag_px < first["right"] else x - drag_px
        )
        mouse("mouseMoved", x)
        mouse("mousePressed", x)
        for k in range(1, 7):  # the steps of a drag
            mouse("mouseMoved", x + (target - x) * k / 6)
            time.sleep(0.05)
        mouse("mouseReleased", target)
        _wait(lambda: net.poll() or net.order, 30, "a request after the release")
        net.settle(timeout=timeout)
        release = net.take()
        after = drv.execute_script(THUMBS_JS)
        alerts = drv.execute_script(ALERTS_JS)
        shown = [f"{i}: {t}" for i, t in alerts if t]
        if shown:
            raise RecordingError(f"the page shows an error after the drag: {shown}")
        drv.get("about:blank")  # nothing left in flight
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)
    point = [t["now"] for t in after]
    if point[0] == first["now"]:
        raise RecordingError("the slider did not move")
    rec = Recording(
        model=model,
        requests=_to_requests(load, "load", origin) + _to_requests(release, "release", origin),
        error_boxes=[i for i, _ in alerts if i],
        point=point,
        low=min(t["min"] for t in after),
        high=max(t["max"] for t in after),
    )
    if not rec.release:
        raise RecordingError("letting go of the slider sent nothing to the server")
    if not any(point_paths(json.loads(r.body), rec.point) for r in rec.release if r.body):
        raise RecordingError(f"no release request carries the point {rec.point}")
    return rec


# --- a release at another point ---------------------------------------------------------


def _same_point(value, point) -> bool:
    return (
        isinstance(value, list)
        and len(value) == len(point)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        and all(math.isclose(v, p, abs_tol=1e-9) for v, p in zip(value, point, strict=True))
    )


def _slider_values(value):
    """A pattern-matching ALL input (``[{"id": {..., "index": i}, "value": v}, ...]``) as
    its values in index order, else None."""
    if not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
        return None
    try:
        ordered = sorted(value, key=lambda v: v["id"]["index"])
        return [v["value"] for v in ordered]
    except (KeyError, TypeError):
        return None


def point_paths(body, point) -> list[tuple]:
    """Where ``body`` carries ``point``: paths to lists equal to it, or to pattern-matching
    inputs whose values are it (marked with a trailing "*")."""
    found = []

    def walk(node, path):
        if _same_point(node, point):
            found.append(path)
            return
        values = _slider_values(node)
        if values is not None and _same_point(values, point):
            found.append((*path, "*"))
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))

    walk(body, ())
    return found


def with_point(body: dict, paths: list[tuple], point: list[float]) -> dict:
    """A copy of ``body`` with ``point`` at ``paths`` (see :func:`point_paths`)."""
    body = json.loads(json.dumps(body))
    for path in paths:
        *head, last = path
        node = body
        if last == "*":
            for key in head:
                node = node[key]
            for item in node:
                item["value"] = point[item["id"]["index"]]
            continue
        for key in head:
            node = node[key]
        node[last] = list(point)
    return body


def walk_point(rng: random.Random, point: list[float], rec: Recording) -> list[float]:
    """The next release point: one coordinate moved by up to a tenth of the range, kept in
    [low, high] and on the sliders' step."""
    out = list(point)
    k = rng.randrange(len(out))
    span = rec.high - rec.low
    v = out[k] + rng.uniform(-0.1, 0.1) * span
    v = min(rec.high, max(rec.low, v))
    out[k] = round(round(v / rec.step) * rec.step, 6)
    return out


# --- replay ----------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    texts: list[str] = field(default_factory=list)
    varied: int = 0  # releases sent at a new point
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.texts) < 5:
                    self.texts.append(f"{kind}: {error}")

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def total_errors(self) -> int:
        return sum(self.errors.values())


class User:
    """One simulated visitor: a session with its own cache, sending a recording's requests."""

    def __init__(self, base: str, rec: Recording, results: Results, seed: int, timeout=60.0):
        self.base, self.rec, self.results, self.timeout = base, rec, results, timeout
        self.rng = random.Random(seed)
        self.session = requests.Session()
        self.kept: set[str] = set()  # paths this browser keeps (long max-age)
        self.validators: dict[str, dict] = {}  # path -> If-None-Match / If-Modified-Since
        self.point = list(rec.point)
        self.paths = [point_paths(json.loads(r.body), rec.point) if r.body else []
                      for r in rec.release]  # fmt: skip

    def send(self, req: Request, body: str | None, stop_at: float) -> bool:
        if time.perf_counter() >= stop_at:
            return False
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conditional = req.method == "GET" and req.path in self.validators
        if conditional:
            headers.update(self.validators[req.path])
        t0 = time.perf_counter()
        try:
            r = self.session.request(req.method, self.base + req.path, data=body,
                                     headers=headers, timeout=self.timeout)  # fmt: skip
            content = r.content
            error = response_error(req.method, req.path, r.status_code, content,
                                   self.rec.error_boxes, conditional)  # fmt: skip
        except requests.RequestException as exc:
            r, error = None, f"{type(exc).__name__}: {exc}"
        self.results.add(req.kind, time.perf_counter() - t0, error)
        if r is not None and req.method == "GET" and r.status_code == 200:
            if req.cached:
                self.kept.add(req.path)
            validator = {}
            if r.headers.get("ETag"):
                validator["If-None-Match"] = r.headers["ETag"]
            if r.headers.get("Last-Modified"):
                validator["If-Modified-Since"] = r.headers["Last-Modified"]
            if validator:
                self.validators[req.path] = validator
        return True

    def visit(self, stop_at: float) -> bool:
        for req in self.rec.load:
            if req.path in self.kept:
                continue  # the browser has it
            if not self.send(req, req.body, stop_at):
                return False
        return True

    def let_go(self, stop_at: float) -> bool:
        self.point = walk_point(self.rng, self.point, self.rec)
        for req, paths in zip(self.rec.release, self.paths, strict=True):
            body = req.body
            if paths:
                body = json.dumps(with_point(json.loads(body), paths, self.point))
            if not self.send(req, body, stop_at):
                return False
            if paths:
                with self.results.lock:
                    self.results.varied += 1
        return True

    def run(self, stop_at: float, releases_per_visit: int) -> None:
        with self.session:
            while time.perf_counter() < stop_at:
                if not self.visit(stop_at):
                    return
                for _ in range(releases_per_visit):
                    if not self.let_go(stop_at):
                        return


def replay(base: str, recordings: list[Recording], users: int, seconds: float,
           releases_per_visit: int = 20, seed: int = 0) -> tuple[Results, float]:  # fmt: skip
    """``users`` threads, user i replaying recording i mod len, for ``seconds``."""
    results = Results()
    start = time.perf_counter()
    stop_at = start + seconds
    crowd = [User(base, recordings[i % len(recordings)], results, seed + i) for i in range(users)]
    threads = [threading.Thread(target=u.run, args=(stop_at, releases_per_visit)) for u in crowd]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - start


def percentiles(values, qs=(50, 95, 99)) -> list[float]:
    ordered = sorted(values)
    if not ordered:
        return [math.nan for _ in qs]
    out = []
    for q in qs:
        pos = (len(ordered) - 1) * q / 100
        lo, hi = math.floor(pos), math.ceil(pos)
        out.append(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))
    return out


def report(results: Results, elapsed: float) -> str:
    """Requests, errors, throughput and latency percentiles per kind of request."""
    rows = []
    kinds = sorted(results.latencies, key=lambda k: -len(results.latencies[k]))
    width = max([len(k) for k in kinds] + [5])
    rows.append(f"{'kind':<{width}}  {'requests':>8}  {'errors':>6}  {'req/s':>7}  "
                f"{'p50 ms':>8}  {'p95 ms':>8}  {'p99 ms':>8}")  # fmt: skip
    everything = []
    for kind in kinds:
        lat = results.latencies[kind]
        everything += lat
        p50, p95, p99 = (1000 * v for v in percentiles(lat))
        rows.append(f"{kind:<{width}}  {len(lat):>8}  {results.errors.get(kind, 0):>6}  "
                    f"{len(lat) / elapsed:>7.1f}  {p50:>8.1f}  {p95:>8.1f}  {p99:>8.1f}")  # fmt: skip
    p50, p95, p99 = (1000 * v for v in percentiles(everything))
    rows.append(f"{'all':<{width}}  {len(everything):>8}  {results.total_errors:>6}  "
                f"{len(everything) / elapsed:>7.1f}  {p50:>8.1f}  {p95:>8.1f}  {p99:>8.1f}")  # fmt: skip
    rows.append(f"releases sent at a new point: {results.varied}")
    if results.texts:
        rows.append("first errors:")
        rows += [f"  {t}" for t in results.texts]
    return "\n".join(rows)
