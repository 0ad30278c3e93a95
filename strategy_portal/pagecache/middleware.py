"""The middleware: anonymous GETs served from memory, one render per change."""

import logging
import os
import threading
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import caches
from django.http import HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

from .generations import generation
from .keys import claim_key, latest_key, page_digest, page_key, page_query

log = logging.getLogger("strategy_portal.pagecache")

# How the page cache served a public page, as proxies say it (nginx's
# $upstream_cache_status, Varnish's X-Cache): miss (rendered and stored), hit (this
# worker's copy), shared (another worker's), stale (the page being replaced, while
# it is rendered or while the database cannot answer). Sent only when
# PAGE_CACHE_STATUS_HEADER is on (DJANGO_PAGE_CACHE_STATUS_HEADER=1, and in the tests):
# production answers name nothing of how they were made.
CACHE_HEADER = "X-Page-Cache"


def is_signed_in(request) -> bool:
    """A session that really belongs to a user; a made-up cookie is anonymous."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    try:
        store = import_module(settings.SESSION_ENGINE).SessionStore(key)
        return store.get(SESSION_KEY) is not None
    except Exception:  # an unreadable session store: nobody to show drafts to
        log.warning("page cache: cannot read the session", exc_info=True)
        return False


def _excluded(request) -> bool:
    return any(request.path.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDE)


def _claim(claim) -> bool:
    """True if this worker is the one to render the page (no other worker is at it)."""
    shared = caches["shared_pages"]
    try:
        if shared.add(claim, os.getpid(), settings.PAGE_RENDER_CLAIM_SECONDS):
            return True
        # Not added: another worker's claim, or a cache that cannot write (the
        # backend answers False rather than raise). Only the first waits for a
        # copy; the other would serve the old page until the disk has room.
        return not shared.has_key(claim)
    except Exception:  # cannot tell: render it
        log.warning("page cache: cannot claim a render", exc_info=True)
        return True


def _read(alias, key):
    try:
        return caches[alias].get(key)
    except Exception:
        log.warning("page cache: cannot read a page from %s", alias, exc_info=True)
        return None


def _unclaim(claim) -> None:
    try:
        caches["shared_pages"].delete(claim)
    except Exception:  # it expires by itself
        log.warning("page cache: cannot release a render claim", exc_info=True)


_render_locks: dict = {}
_render_locks_guard = threading.Lock()


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or _excluded(request) or is_signed_in(request):
            return self.uncached(request)
        # A session cookie of nobody: the page is the anonymous one. Dropped here,
        # or SessionMiddleware would answer with a Set-Cookie deleting it, and an
        # answer that sets a cookie is never stored: every request would render.
        request.COOKIES.pop(settings.SESSION_COOKIE_NAME, None)
        # The Host is checked (DisallowedHost: 400) before anything is served.
        host = request.get_host()
        current = generation()
        if current is None:
            return self.get_response(request)
        query = page_query(request)
        request.GET = QueryDict(query.urlencode())  # immutable, as Django's own
        digest = page_digest(host, request.path, query)
        key = page_key(current, digest)
        response = self.cached(key)
        if response is not None:
            return response
        with _render_locks_guard:
            lock = _render_locks.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=False):
            # Another thread of this worker is rendering this page after a change:
            # serve the page it replaces rather than queue behind it (one render at
            # most old; the fresh page is served once it is stored). The lock stays
            # registered, so the next reader does not start a second render.
            stale = self.previous(digest, current)
            if stale is not None:
                return stale
            lock.acquire()  # nothing to fall back on: wait for the render, then hit
        try:
            response = self.cached(key) or self.shared(key, digest, current)
            if response is not None:
                return response
            claim = claim_key(key)
            if not _claim(claim):
                # Another worker is rendering it: its copy is taken once stored.
                stale = self.previous(digest, current)
                if stale is not None:
                    return stale
                claim = None  # nothing to serve meanwhile: render it here as well
            try:
                # Looked for again once claimed: another worker may have stored the
                # page and released its claim between the first look and the claim.
                return (claim and self.shared(key, digest, current)) or self.render_and_store(
                    request, current, digest
                )
            finally:
                if claim:
                    _unclaim(claim)
        finally:
            lock.release()
            with _render_locks_guard:
                _render_locks.pop(key, None)

    def shared(self, key, digest, current):
        """The page as another worker rendered it; this worker keeps it too."""
        stored = _read("shared_pages", key)
        if stored is None:
            return None
        self.keep(key, digest, current, stored)
        return self.respond(stored, "shared")

    @staticmethod
    def keep(key, digest, current, stored, share=False):
        """Store a page in this worker's memory, and for the other workers if `share`."""
        seconds = settings.PAGE_CACHE_SECONDS
        try:
            caches["pages"].set(key, stored, seconds)
            caches["pages"].set(latest_key(digest), current, seconds)
            if share:
                caches["shared_pages"].set(key, stored, seconds)
                # For the other workers too: the copy to serve while the database is down.
                caches["shared_pages"].set(latest_key(digest), current, seconds)
        except Exception:
            log.warning("page cache: cannot store a page", exc_info=True)

    def previous(self, digest, current, shared=False):
        """The newest stored page of an earlier generation, if this worker has one;
        with `shared`, else the one the workers last shared."""
        aliases = ("pages", "shared_pages") if shared else ("pages",)
        for alias in aliases:
            generation_then = _read(alias, latest_key(digest))
            if generation_then is None or generation_then == current:
                continue
            stored = _read(alias, page_key(generation_then, digest))
            if stored is not None:
                return self.respond(stored, "stale")
        return None

    def uncached(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    def cached(self, key):
        stored = _read("pages", key)
        return None if stored is None else self.respond(stored, "hit")

    @staticmethod
    def respond(stored, how):
        content, headers = stored
        response = HttpResponse(content, headers=headers)
        if settings.PAGE_CACHE_STATUS_HEADER:
            response[CACHE_HEADER] = how
        return response

    def render_and_store(self, request, current, digest):
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False):
            # The database cannot answer: the last copy of the page, if any, rather
            # than the 503 (as of its last render; readers see a page).
            stale = self.previous(digest, current, shared=True)
            if stale is not None:
                log.warning(
                    "page cache: database unavailable; serving the last copy of %s", request.path
                )
                return stale
            return response
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not response.has_header("Cache-Control")
        ):
            # Browsers revalidate every time (ETag), so a change shows at once.
            patch_cache_control(response, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            # Hash once here, not on every hit (ConditionalGetMiddleware keeps an ETag).
            set_response_etag(response)
            if len(response.content) <= settings.PAGE_CACHE_MAX_BYTES:
                stored = (response.content, dict(response.items()))
                self.keep(page_key(current, digest), digest, current, stored, share=True)
            if settings.PAGE_CACHE_STATUS_HEADER:
                response[CACHE_HEADER] = "miss"
        return response
