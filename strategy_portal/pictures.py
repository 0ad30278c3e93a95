"""Charts drawn on the server: every Plotly figure a page shows, rendered to SVG with
Plotly's own static export (kaleido, driving Debian's Chromium), so the chart is in
the first paint with no script at all; plotly.js replaces it when the reader acts.

How a picture comes to be, off the request path:
- A page that shows a chart asks `picture(figure, summary)`. The figure's key is the
  SHA-256 of its JSON and of the renderer (`RENDERER`), so an unchanged chart is
  never rendered twice and a changed one gets a new address.
- If the SVGs are on disk, the page gets their addresses (one per width in `WIDTHS`;
  CSS container queries show the one nearest the chart's box).
- If not, the figure is queued (a JSON file in `CHART_DIR/queue/`), a renderer is
  started in the background (`manage.py render_charts`, at most one at a time), and
  the page shows what it showed before: the chart's text, then plotly.js. Never a
  wait, never an error: a full disk or a missing browser only means no picture.
- The renderer draws what is queued, one figure at a time, 30 s at most each, in
  one headless Chromium tab, at a low priority, then makes the cached pages stale
  so that they are rendered again with their pictures.
- `manage.py render_charts --crawl` visits every page of the sitemap first, so
  every chart is queued: `make run` and `make serve` start it for what is missing.
  A committed change of the data asks for such a visit (`.crawl`) and starts a
  renderer; one at work makes the visit once it is done, so no change is missed.
  Only the charts whose figure changed are drawn again.

Only charts of published figures get a picture: a card with drafts (seen by staff)
keeps the script-drawn chart, so no draft figure is ever written to a public file.
"""

import fcntl
import gzip
import hashlib
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import brotli
from csp.decorators import csp_replace
from django.conf import settings
from django.http import FileResponse, Http404
from django.urls import reverse

from . import background

log = logging.getLogger(__name__)

# The widths each figure is drawn at; the page shows the one nearest its box
# (static/css/site.css, the .chart container queries). Heights are the figure's own.
WIDTHS = (240, 320, 560, 1080)
# The same plotly.js the pages load, so the picture is what the reader then gets.
PLOTLY_JS = "vendor/plotly/plotly-basic-4.1.1.min.js"
# Part of every key: change it when the drawing changes, and every chart is redrawn.
RENDERER = f"kaleido-1.5/{PLOTLY_JS}/1"
# A share image (Open Graph, 1200×630) shows the chart at 540×369 px: drawn at 360×246
# and 1.5×, so its text is as large beside the headline as on the page.
SHARE = "share"
SHARE_SIZE = (360, 246)
SHARE_SCALE = 1.5
FIGURE_TIMEOUT = 30  # seconds for one figure before the renderer gives it up
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SPAWN_GRACE = 120  # seconds a started renderer has to take the lock before another starts


@dataclass(frozen=True)
class Image:
    width: int
    url: str


@dataclass(frozen=True)
class Picture:
    """A figure's SVGs: one per width, all of the figure's height."""

    key: str
    height: int
    images: tuple[Image, ...]


def figure_key(figure: dict) -> str:
    text = json.dumps(
        {"figure": figure, "renderer": RENDERER},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def chart_dir() -> Path:
    return Path(settings.CHART_DIR)


def queue_dir() -> Path:
    return chart_dir() / "queue"


def svg_path(key: str, width: int) -> Path:
    return chart_dir() / f"{key}-{width}.svg"


def share_path(key: str) -> Path:
    return chart_dir() / f"{key}-share.png"


def is_drawn(key: str, widths=WIDTHS) -> bool:
    # The widest is written last: when it is there, every width is.
    return svg_path(key, max(widths)).is_file()


def picture(
    figure, summary: str, *, key: str = "", height: int = 0, widths=WIDTHS
) -> Picture | None:
    """The figure's SVGs for the page, or None while they are not drawn (then the
    figure is queued and a renderer started).

    A large figure (a map: 18,000 points) may come as a function that builds it, with
    its `key` and `height` worked out from something smaller: it is then built only
    when it has to be queued. `widths`: those its box can have (a map: fewer, see
    the .map rules in site.css), drawn in ascending order."""
    if not key:
        key = figure_key(figure)
        height = int(figure["layout"]["height"])
    if is_drawn(key, widths):
        images = tuple(Image(w, reverse("chart_svg", args=[key, w])) for w in widths)
        return Picture(key, height, images)
    _wait_for(key, figure, summary, widths=widths)
    return None


def _wait_for(key: str, figure, summary: str, kind: str = "svg", widths=WIDTHS) -> None:
    """Queue a figure not drawn yet (built now if it comes as a function) and start a
    renderer; also when it is queued already, so one that died is started again."""
    queued = (queue_dir() / f"{key}.{kind}.json").exists()
    built = None if queued else (figure() if callable(figure) else figure)
    if queued or enqueue(key, built, summary, kind=kind, widths=widths):
        start_renderer()


def share_chart(figure: dict, summary: str) -> Path | None:
    """The same figure as a PNG for a share image (SHARE_SIZE at SHARE_SCALE), or None
    while it is not drawn (then it is queued, as a picture is)."""
    key = figure_key(figure)
    path = share_path(key)
    if path.is_file():
        return path
    _wait_for(key, figure, summary, kind=SHARE)
    return None


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def enqueue(key: str, figure: dict, summary: str, kind: str = "svg", widths=WIDTHS) -> bool:
    """Queue a figure to be drawn (`kind`: the page's SVGs, or the share image's PNG);
    False when it is queued already or cannot be (a full or read-only disk: logged,
    and the page goes on without its picture)."""
    path = queue_dir() / f"{key}.{kind}.json"
    if path.exists():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        item = {"figure": figure, "summary": summary, "kind": kind, "widths": sorted(widths)}
        _write_atomically(path, json.dumps(item, ensure_ascii=False).encode())
    except OSError as error:
        log.warning("charts: cannot queue a figure to draw (%s)", error)
        return False
    return True


@contextmanager
def renderer_lock():
    """Held by the one renderer at work; yields False when another holds it."""
    chart_dir().mkdir(parents=True, exist_ok=True)
    with open(chart_dir() / ".lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def start_renderer() -> bool:
    """Start `manage.py render_charts` in the background, unless rendering is off
    (settings.CHART_RENDERING) or a renderer is at work or just started (it will
    take what is queued). Never waits for it."""
    if settings.CHART_RENDERING != "background" or _cannot_draw():
        return False
    marker = chart_dir() / ".starting"
    try:
        chart_dir().mkdir(parents=True, exist_ok=True)
        if marker.exists() and time.time() - marker.stat().st_mtime < SPAWN_GRACE:
            return False
        with renderer_lock() as free:
            if not free:
                return False
        marker.touch()
    except OSError as error:
        log.warning("charts: cannot start the renderer (%s)", error)
        return False
    return background.start_command("render_charts")


def request_crawl() -> None:
    """Ask the renderer to visit every page (again): a renderer at work does so once it
    has drawn what it has, so a change committed during its visit is not missed."""
    try:
        chart_dir().mkdir(parents=True, exist_ok=True)
        (chart_dir() / ".crawl").touch()
    except OSError as error:
        log.warning("charts: cannot ask for a visit of the pages (%s)", error)


def take_crawl_request() -> bool:
    try:
        (chart_dir() / ".crawl").unlink()
    except FileNotFoundError:
        return False
    return True


def crawl_requested() -> bool:
    return (chart_dir() / ".crawl").exists()


def on_data_committed(**kwargs) -> None:
    """After a commit that changed the data: visit every page and draw what changed
    (what did not change has its pictures already and is not drawn again)."""
    if settings.CHART_RENDERING == "background":
        request_crawl()
        start_renderer()


def browser_path() -> str | None:
    configured = settings.CHART_BROWSER
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def unavailable_reason() -> str:
    """Why no picture can be drawn here, or "" when it can."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "kaleido is not installed (pip install -e .)"
    if browser_path() is None:
        where = settings.CHART_BROWSER or " or ".join(BROWSERS)
        return (
            f"no Chromium found ({where}); install Debian's chromium or set "
            "DJANGO_CHART_BROWSER. Pages show each chart's text until then"
        )
    if _plotly_js() is None:
        return f"the static file {PLOTLY_JS} is missing"
    return ""


_reported = False


def _cannot_draw() -> bool:
    """True where no picture can be drawn: said once per process in the log."""
    global _reported
    reason = unavailable_reason()
    if reason and not _reported:
        log.warning("charts: no pictures are drawn here: %s", reason)
        _reported = True
    return bool(reason)


def _plotly_js() -> str | None:
    from django.contrib.staticfiles import finders

    return finders.find(PLOTLY_JS)


def with_text_alternative(svg: bytes, summary: str) -> bytes:
    """The SVG as an image with a name and description: role="img", <title> and
    <desc> from the chart's text alternative (a reporter's copy keeps them)."""
    text = svg.decode()
    start = text.index("<svg")
    end = text.index(">", start)
    label = escape(summary, {'"': "&quot;"})
    opening = text[start:end].replace(' style=""', "")
    return (
        f'{opening} role="img" aria-label="{label}">'
        f"<title>{escape(summary)}</title><desc>{escape(summary)}</desc>"
        f"{text[end + 1 :]}"
    ).encode()


class Renderer:
    """One headless Chromium tab, started on the first figure, drawing one at a time."""

    def __init__(self):
        self.started = False
        self.count = 0  # SVG files written

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.started:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)

    def _start(self):
        import kaleido

        os.environ["BROWSER_PATH"] = browser_path() or ""
        kaleido.start_sync_server(
            n=1,
            timeout=FIGURE_TIMEOUT,
            plotlyjs=_plotly_js(),
            mathjax=False,  # else fetched from a CDN: nothing leaves this machine
            silence_warnings=True,
        )
        self.started = True

    def draw(self, key: str, figure: dict, summary: str, widths=WIDTHS) -> None:
        import kaleido

        if not self.started:
            self._start()
        height = int(figure["layout"]["height"])
        for width in sorted(widths):
            svg = kaleido.calc_fig_sync(
                figure, opts={"format": "svg", "width": width, "height": height}
            )
            svg = with_text_alternative(svg, summary)
            # Compressed beside it, as whitenoise does for static files (7.5 KB → 1.3 KB br).
            _write_atomically(Path(f"{svg_path(key, width)}.br"), brotli.compress(svg))
            _write_atomically(Path(f"{svg_path(key, width)}.gz"), gzip.compress(svg, mtime=0))
            _write_atomically(svg_path(key, width), svg)
            self.count += 1

    def draw_share(self, key: str, figure: dict) -> None:
        import kaleido

        if not self.started:
            self._start()
        width, height = SHARE_SIZE
        png = kaleido.calc_fig_sync(
            figure,
            opts={"format": "png", "width": width, "height": height, "scale": SHARE_SCALE},
        )
        _write_atomically(share_path(key), png)
        self.count += 1


def render_queue(*, deadline: float | None = None) -> dict:
    """Draw every queued figure (this process must hold the renderer lock). Returns
    counts: figures drawn (a page's SVGs or a share image's PNG), files written,
    failures, left in the queue."""
    from .pagecache import invalidate

    counts = {"figures": 0, "files": 0, "failed": 0, "left": 0}
    reason = unavailable_reason()
    with Renderer() as renderer:
        while True:
            items = sorted(queue_dir().glob("*.json")) if queue_dir().is_dir() else []
            if not items:
                break
            if reason:
                log.warning("charts: %d figures not drawn: %s", len(items), reason)
                counts["left"] = len(items)
                break
            for item in items:
                if deadline is not None and time.monotonic() > deadline:
                    counts["left"] = len(list(queue_dir().glob("*.json")))
                    break
                key, kind = item.name.split(".")[:2]
                try:
                    data = json.loads(item.read_bytes())
                    widths = data.get("widths", WIDTHS)
                    drawn = share_path(key).is_file() if kind == SHARE else is_drawn(key, widths)
                    if not drawn:
                        if kind == SHARE:
                            renderer.draw_share(key, data["figure"])
                        else:
                            renderer.draw(key, data["figure"], data["summary"], widths)
                        counts["figures"] += 1
                except Exception:
                    log.exception("charts: figure %s could not be drawn", key)
                    counts["failed"] += 1
                item.unlink(missing_ok=True)
            else:
                continue
            break
        counts["files"] = renderer.count
    if counts["figures"]:
        invalidate()  # the cached pages are rendered again, now with their pictures
    return counts


ENCODINGS = {"br": "br", "gzip": "gz"}  # Content-Encoding → the file's suffix, preferred first


def _exists(path: Path, encoding: str) -> bool:
    return Path(f"{path}.{ENCODINGS[encoding]}").is_file()


# Plotly's SVG styles its shapes and text with style attributes: a reader who opens the
# picture itself (to copy it) sees it styled; it has no script, and may run none.
@csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"]})
def svg_view(request, key: str, width: int):
    """A chart's picture. Its address names its content, so it is cached for a year;
    other sites may show it (a reporter's article), like the share images. Sent
    compressed (Brotli, gzip) to a browser that accepts it."""
    if width not in WIDTHS:
        raise Http404("この幅のグラフはありません")
    path = svg_path(key, width)
    if not path.is_file():
        raise Http404("グラフの画像がありません")
    accepted = request.headers.get("Accept-Encoding", "")
    encoding = next((e for e in ENCODINGS if e in accepted and _exists(path, e)), None)
    try:
        file = open(f"{path}.{ENCODINGS[encoding]}" if encoding else path, "rb")
    except OSError:
        raise Http404("グラフの画像がありません") from None
    response = FileResponse(file, content_type="image/svg+xml", filename=path.name)
    if encoding:
        response["Content-Encoding"] = encoding
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
