"""The public page cache: anonymous GETs served from memory.

Every public page is the same for every anonymous visitor, so its rendered
body is kept in the `pages` cache (local memory of each worker: no network,
no unpickling of a large object) and, for the other workers, in
`shared_pages` (files on one machine, Redis or Memcached for several).
Whether a stored page is still current is decided by a generation number in
the `default` cache, which all workers and servers share: a committed data
change anywhere bumps it, and the next view renders afresh everywhere. Only a
commit bumps it: a write that is rolled back (an import's preview, a refused
save) leaves every page cached. A page is stored under the generation read
before it was rendered, so one rendered from the old rows while a write
commits is stale once it has. The generation never expires, and a new one is
taken from the clock, so it cannot repeat.

- The key is the host and the path with the query parameters its view reads
  (sorted), as the view declares them with `@reads(...)`; other parameters
  are dropped before the view sees them, so made-up query strings are one
  page, not one page each (`?q=` keys the search page, not a project page).
- Signed-in users are never served from or stored in the cache, and their
  pages are `private, no-store`. A session cookie alone does not make a user
  signed in: the session is looked up.
- After a change, a page is rendered once, not once per worker: the first
  worker to need it claims the render (an atomic `add` in `shared_pages`) and
  stores the result there; the other workers serve the page it replaces until
  the fresh one is stored, then take that copy. Within a worker, one thread
  renders and the others serve the previous page too. So readers never queue
  behind an editor's change, and a change is seen from the first render after
  it. A worker with no earlier page (just started) renders for itself.
- A broken or full shared cache means uncached rendering, never an error.
- While the database cannot answer (stopped, busy, its file gone), a page whose
  render fails for it is served from the newest stored copy, even one an edit
  has made stale: this worker's, or the one any worker last shared. Only a page
  with no copy at all gets the 503 (strategy_portal/security.py).
"""

import functools
import hashlib
import logging
import os
import threading
import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache, caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.encoding import escape_uri_path

log = logging.getLogger(__name__)

GENERATION_KEY = "pages:generation"
# How the page cache served a public page, as proxies say it (nginx's
# $upstream_cache_status, Varnish's X-Cache): miss (rendered and stored), hit (this
# worker's copy), shared (another worker's), stale (the page being replaced, while
# it is rendered or while the database cannot answer). Logs and `curl -I` read it.
CACHE_HEADER = "X-Page-Cache"
DATA_APPS = ("projects", "indicators", "municipalities")


def reads(*names):
    """Declare the query parameters a public view reads: they, and only they,
    key its cached page; any other is dropped before the view sees it."""

    def declare(view):
        view.page_parameters = frozenset(names)
        return view

    return declare


@functools.lru_cache(maxsize=1024)
def view_parameters(path_info: str) -> frozenset:
    """The parameters declared by the view of a path (none for a 404); memoised,
    as resolving costs ~30 µs, a tenth of a cached page."""
    try:
        view = resolve(path_info).func
    except Resolver404:
        return frozenset()
    return getattr(view, "page_parameters", frozenset())


def generation() -> int | None:
    """The shared generation number, read on every request; None when the shared
    cache cannot be read or written (then pages are rendered, not cached).

    With the file cache (one machine), the number is re-read only when its
    file was replaced since the last read: a stat instead of an open, a
    decompress and an unpickle, which is most of a cached page's cost. Any
    write replaces the file (new inode), so the check stays exact.
    """
    try:
        stamp = _generation_file_stamp()
        if stamp is not None and stamp == _memo.get("stamp"):
            return _memo["value"]
        value = cache.get(GENERATION_KEY)
        if value is None:
            # Start from the clock, not 1: if the shared cache was flushed, pages
            # that workers still hold under an old number must not match again.
            cache.add(GENERATION_KEY, _new_generation(), timeout=None)
            value = cache.get(GENERATION_KEY)
    except Exception:  # a full disk, an unreachable Redis: serve uncached
        log.warning("page cache: cannot read the generation", exc_info=True)
        return None
    if value is not None:
        _memo.update(stamp=stamp, value=value)  # stamp taken before the read: safe
    return value


_memo: dict = {}


def _new_generation(after: int | None = None) -> int:
    value = time.time_ns() // 1000
    return value if after is None or value > after else after + 1


def _generation_file_stamp():
    """The file cache's stamp of the generation's entry (None for other backends)."""
    stamp = getattr(cache, "stamp", None)
    return stamp(GENERATION_KEY) if stamp is not None else None


def invalidate() -> None:
    """Make every cached page stale (on all servers sharing the cache).

    A new number from the clock, stored without expiry (Django's `incr` on
    the file cache would store it with the default 300 s timeout). If it
    cannot be stored (a full disk), the number is deleted, which needs no
    space: then no worker finds a generation, and pages are rendered afresh
    until the cache works again.
    """
    try:
        # False: the backend (strategy_portal.cachebackends) could not store it.
        stored = (
            cache.set(GENERATION_KEY, _new_generation(cache.get(GENERATION_KEY)), timeout=None)
            is not False
        )
    except Exception:
        log.warning("page cache: cannot store a new generation", exc_info=True)
        stored = False
    if not stored:
        log.error("page cache: cannot store a new generation; deleting it")
        try:
            cache.delete(GENERATION_KEY)
        except Exception:  # e.g. Redis unreachable: readers cannot read it either
            log.critical("page cache: cannot delete the generation either", exc_info=True)


def clear_pages() -> None:
    """Forget every stored page, in this worker and shared (tests, benchmarks)."""
    for alias in ("shared_pages", "pages"):
        caches[alias].clear()


class _Commit:
    """The callbacks one commit runs: the first makes the pages stale, the rest of
    the same batch (the other rows of that save or import) have nothing to add."""

    ran = False


_batch = threading.local()


def _invalidate_once(commit):
    if not commit.ran:
        commit.ran = True
        invalidate()


def invalidate_on_commit():
    """Stale once the change is committed; never for a change rolled back (Django
    drops the callbacks of a rolled-back transaction or savepoint).

    One new generation per commit: an editor's save writes a result and its
    history row, an import many rows, and each new generation means every page is
    rendered again. Every change registers its callback (transaction.on_commit),
    and the callbacks of one thread share a `_Commit` until one of them runs: the
    first to run at a commit invalidates, the others of that commit do nothing.
    Callbacks dropped by a rollback never run, so their `_Commit` is still open
    and the next change's callbacks share it: they run at the next commit.
    """
    commit = getattr(_batch, "commit", None)
    if commit is None or commit.ran:
        commit = _batch.commit = _Commit()
    transaction.on_commit(functools.partial(_invalidate_once, commit))


def on_data_change(sender, **kwargs):
    if sender._meta.app_label in DATA_APPS:
        invalidate_on_commit()


def connect_signals():
    for model in apps.get_models():
        if model._meta.app_label in DATA_APPS:
            post_save.connect(on_data_change, sender=model, weak=False)
            post_delete.connect(on_data_change, sender=model, weak=False)
    m2m_changed.connect(_m2m_changed, weak=False)


def _m2m_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and instance._meta.app_label in DATA_APPS:
        invalidate_on_commit()


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


def page_query(request) -> QueryDict:
    query = QueryDict(mutable=True)
    for name in sorted(set(request.GET) & view_parameters(request.path_info)):
        query.setlist(name, request.GET.getlist(name))
    return query


def page_location(request) -> str:
    """The page's own address without the host: the path and only the parameters
    its cached copy is keyed on. Every URL a page prints of itself (og:url, the
    indicator's 固定URL, the print line, a canonical link) is built from this,
    never from the raw request: a page rendered for `?utm=…` is the one stored
    for every later reader."""
    query = page_query(request)
    path = escape_uri_path(request.path)
    return f"{path}?{query.urlencode()}" if query else path


def page_url(request) -> str:
    """`page_location` as an absolute URL; just the location when the Host is not
    ours (the 400 page for a bad Host must render too)."""
    location = page_location(request)
    try:
        return request.build_absolute_uri(location)
    except DisallowedHost:
        return location


def page_digest(host, path, query) -> str:
    return hashlib.sha256(f"{host}{path}?{query.urlencode()}".encode()).hexdigest()


def page_key(current, digest) -> str:
    return f"page:{current}:{digest}"


def latest_key(digest) -> str:
    """Which generation this page was last stored under (served while it re-renders)."""
    return f"page:latest:{digest}"


def claim_key(key) -> str:
    return f"rendering:{key}"


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
            response[CACHE_HEADER] = "miss"
        return response
