"""The public page cache: anonymous GETs served from memory.

Every public page is the same for every anonymous visitor, so its rendered
body is kept in the `pages` cache (local memory of each worker: no network,
no unpickling of a large object). Whether a stored page is still current is
decided by a generation number in the `default` cache, which all workers and
servers share (a file cache on one machine, Redis or Memcached through
DJANGO_CACHE_URL for several): a data change anywhere bumps it, at once and
again on commit, and the next view renders afresh everywhere. Signed-in users
(a session cookie) are never served from or stored in the cache, and their
pages are marked `private, no-store`.
"""

import hashlib
import os
import time

from django.apps import apps
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.encoding import iri_to_uri

GENERATION_KEY = "pages:generation"
DATA_APPS = ("projects", "indicators", "municipalities")


def generation() -> int:
    """The shared generation number, read on every request.

    With the file cache (one machine), the number is re-read only when its
    file was replaced since the last read: a stat instead of an open, a
    decompress and an unpickle, which is most of a cached page's cost. Any
    write replaces the file (new inode), so the check stays exact.
    """
    stamp = _generation_file_stamp()
    if stamp is not None and stamp == _memo.get("stamp"):
        return _memo["value"]
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Start from the clock, not 1: if the shared cache was flushed, pages
        # that workers still hold under an old number must not match again.
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
        value = cache.get(GENERATION_KEY)
    _memo.update(stamp=stamp, value=value)  # stamp taken before the read: safe
    return value


_memo: dict = {}


def _generation_file_stamp():
    backend = caches["default"]
    if not isinstance(backend, FileBasedCache):
        return None
    try:
        status = os.stat(backend._key_to_file(GENERATION_KEY))
    except OSError:
        return None
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def invalidate() -> None:
    """Make every cached page stale (on all servers sharing the cache)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(GENERATION_KEY, generation() + 1, timeout=None)


def invalidate_now_and_on_commit():
    """Stale at once, and again after commit: a page rendered from the old rows
    between the write and its commit must not outlive the commit."""
    invalidate()
    transaction.on_commit(invalidate)


def on_data_change(sender, **kwargs):
    if sender._meta.app_label in DATA_APPS:
        invalidate_now_and_on_commit()


def connect_signals():
    for model in apps.get_models():
        if model._meta.app_label in DATA_APPS:
            post_save.connect(on_data_change, sender=model, weak=False)
            post_delete.connect(on_data_change, sender=model, weak=False)
    m2m_changed.connect(_m2m_changed, weak=False)


def _m2m_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and instance._meta.app_label in DATA_APPS:
        invalidate_now_and_on_commit()


def _is_signed_in(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not _is_signed_in(request)
        and not any(request.path.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDE)
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            response = self.get_response(request)
            if (
                _is_signed_in(request)
                or getattr(request, "user", None)
                and request.user.is_authenticated
            ):
                patch_cache_control(response, private=True, no_store=True)
            return response

        path = hashlib.sha256(iri_to_uri(request.get_full_path()).encode()).hexdigest()
        key = f"page:{generation()}:{path}"
        pages = caches["pages"]
        stored = pages.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response

        response = self.get_response(request)
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
            pages.set(key, (response.content, dict(response.items())), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
