"""The cache backends of every cache alias (settings.cache_from_url): Django's,
each wrapped so that a cache that cannot be read or written is never an error.

A cache only saves work, so a full disk, a cache directory that cannot be made,
a corrupt entry or an unreachable Redis or Memcached must not turn a request
into a 500. Every operation that fails with such an error answers as an empty
cache would: `get` the default, `has_key`/`add`/`delete`/`touch` False, `set`
False (True when stored), `incr`/`decr` None, `get_many` {}. The page cache then
renders uncached, and the API's per-address limit lets requests through (it is
read-only open data; refusing every reader because a counter cannot be written
would be an outage of its own).

Each kind of failure (cache, operation, exception class and errno) is logged as
a warning the first time in a process, not on every request, and then at most
every ten minutes while it lasts, with the number of failures in between.
A programming error (a TypeError, a ValueError such as `incr` of a missing key)
is not a cache failure and is raised as before.
"""

import logging
import pickle
import threading
import time
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache
from django.core.cache.backends.memcached import PyMemcacheCache as DjangoPyMemcacheCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from .filecache import FileCache as AtomicFileCache

log = logging.getLogger(__name__)

# A kind of failure is logged once, then again at most this often (with a count).
LOG_EVERY_SECONDS = 600


def _failures() -> tuple:
    kinds = [OSError, EOFError, zlib.error, pickle.UnpicklingError]
    try:
        from redis.exceptions import RedisError

        kinds.append(RedisError)
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    try:
        from pymemcache.exceptions import MemcacheError

        kinds.append(MemcacheError)
    except ImportError:  # memcached is optional
        pass
    return tuple(kinds)


CACHE_FAILURES = _failures()


class TolerantCache:
    """Mixin before a Django cache backend: failures answer as an empty cache."""

    def __init__(self, location, params):
        self._where = f"{type(self).__name__} {location} {params.get('KEY_PREFIX', '')}".strip()
        self._failing = {}  # kind of failure: (when last logged, failures not logged since)
        self._failing_guard = threading.Lock()
        try:
            super().__init__(location, params)
        except CACHE_FAILURES as error:  # the file cache makes its directory here
            self._failed("open", error)

    def _failed(self, operation, error):
        kind = (operation, type(error).__name__, getattr(error, "errno", None))
        now = time.monotonic()
        with self._failing_guard:
            logged, suppressed = self._failing.get(kind, (None, 0))
            if logged is not None and now - logged < LOG_EVERY_SECONDS:
                self._failing[kind] = (logged, suppressed + 1)
                return
            self._failing[kind] = (now, 0)
        log.warning(
            "cache %s: cannot %s (%s: %s); going on without it%s",
            self._where,
            operation,
            type(error).__name__,
            error,
            f" ({suppressed} more since the last warning)" if suppressed else "",
        )

    def _call(self, operation, fallback, method, *args, **kwargs):
        try:
            result = method(*args, **kwargs)
        except CACHE_FAILURES as error:
            self._failed(operation, error)
            return fallback
        return result

    def get(self, key, default=None, version=None):
        return self._call("read", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("read", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("read", False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        stored = self._call("write", False, super().set, key, value, timeout, version)
        return stored is not False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("write", False, super().add, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("write", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("write", False, super().touch, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._call("count", None, super().incr, key, delta, version)

    def decr(self, key, delta=1, version=None):
        return self._call("count", None, super().decr, key, delta, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("delete", None, super().clear)


class FileCache(TolerantCache, AtomicFileCache):
    def stamp(self, key, version=None):
        return self._call("stamp", None, super().stamp, key, version=version)

    """One machine: files shared by the workers (atomic add and incr)."""


class RedisCache(TolerantCache, DjangoRedisCache):
    pass


class PyMemcacheCache(TolerantCache, DjangoPyMemcacheCache):
    pass


class LocMemCache(TolerantCache, DjangoLocMemCache):
    pass
