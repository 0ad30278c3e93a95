"""Draw the charts' pictures (strategy_portal/pictures.py): what pages queued, or, with
--crawl, every chart of every public page (the sitemap's pages are rendered in this
process, without the page cache, so each queues the figures it shows)."""

import os
import re
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client, override_settings

from strategy_portal import pictures

OG_IMAGE = re.compile(r'<meta property="og:image" content="([^"]+)"')


def _host() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")]
    return hosts[0] if hosts else "127.0.0.1"


def crawl(paths: list[str] | None = None) -> tuple[int, int]:
    """Render every page the sitemap lists (or `paths`), and the share images they
    name, so every chart on them is queued; returns how many pages, and how many of
    them failed. Only their charts matter: the page
    cache is skipped, static files are named plainly (the crawl may run before
    collectstatic), and nothing is started from here: this process draws next."""
    middleware = [m for m in settings.MIDDLEWARE if ".pagecache." not in m]
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(CHART_RENDERING="off", MIDDLEWARE=middleware, STORAGES=storages):
        client = Client(HTTP_HOST=_host(), raise_request_exception=False)
        secure = settings.SECURE_SSL_REDIRECT
        if paths is None:
            sitemap = client.get("/sitemap.xml", secure=secure)
            paths = [
                urlsplit(url).path
                for url in re.findall(r"<loc>([^<]+)</loc>", sitemap.content.decode())
            ]
        images = set()
        failed = 0
        for path in paths:
            response = client.get(path, secure=secure)
            failed += response.status_code != 200
            images.update(OG_IMAGE.findall(response.content.decode(errors="replace")))
        # The share images draw their charts too (an indicator's og.png).
        for url in sorted(images):
            failed += client.get(urlsplit(url).path, secure=secure).status_code != 200
    return len(paths), failed


class Command(BaseCommand):
    help = (
        "グラフを SVG に描きます（ページが待ち行列に入れた図。--crawl で全ページの図）。"
        "同じ図は二度描きません。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--crawl", action="store_true", help="サイトマップの全ページを開いて図を集めてから描く"
        )
        parser.add_argument(
            "--page",
            action="append",
            default=[],
            help="このページ（パス）の図だけを集めてから描く。複数指定できる",
        )
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=900,
            help="この秒数を過ぎたら残りを待ち行列に残して終える（既定 900）",
        )

    def handle(self, *args, **options):
        if getattr(self, "_called_from_command_line", False):
            os.nice(10)  # a renderer process yields to the site's workers
        started = time.monotonic()
        deadline = started + options["max_seconds"]
        reason = pictures.unavailable_reason()
        if reason:
            self.stderr.write(f"charts: no pictures are drawn here: {reason}")
        totals = {"figures": 0, "files": 0, "failed": 0, "left": 0}
        pages = failed = 0
        crawled = False
        while True:
            with pictures.renderer_lock() as free:
                if not free:
                    (pictures.chart_dir() / ".starting").unlink(missing_ok=True)
                    self.stdout.write("charts: another renderer is at work; it draws the queue")
                    return
                (pictures.chart_dir() / ".starting").unlink(missing_ok=True)
                if options["page"] and not crawled:
                    visited, failures = crawl(options["page"])
                    crawled, pages, failed = True, pages + visited, failed + failures
                first, asked = options["crawl"] and not crawled, pictures.take_crawl_request()
                if first or asked:
                    visited, failures = crawl()
                    crawled, pages, failed = True, pages + visited, failed + failures
                counts = pictures.render_queue(deadline=deadline)
                for name in totals:
                    totals[name] = totals[name] + counts[name] if name != "left" else counts[name]
            # A page may have queued a figure, or a commit asked for a visit, while the
            # lock was held, and started no renderer (it saw this one at work): look
            # again once the lock is free.
            queued = pictures.queue_dir().is_dir() and any(pictures.queue_dir().glob("*.json"))
            more = queued or pictures.crawl_requested()
            if not more or reason or counts["left"] or time.monotonic() > deadline:
                break
        seconds = time.monotonic() - started
        visits = f"{pages} pages crawled ({failed} failed), " if crawled else ""
        self.stdout.write(
            f"charts: {visits}{totals['figures']} figures drawn ({totals['files']} files) "
            f"in {seconds:.1f} s; {totals['failed']} failed; {totals['left']} left in the queue"
        )
