"""When stored pages are stale: one generation number, shared by every worker and
server, that a committed data change replaces (once per commit)."""

import functools
import logging
import threading
import time

from django.apps import apps
from django.core.cache import cache, caches
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

log = logging.getLogger("strategy_portal.pagecache")

GENERATION_KEY = "pages:generation"
DATA_APPS = ("projects", "indicators", "municipalities")
# Sent once per commit that changed the data (after the pages are made stale): what
# else follows the data subscribes here (the charts' pictures, strategy_portal/pictures.py).
data_committed = Signal()


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


@receiver(setting_changed)
def _forget_on_new_caches(setting, **kwargs):
    """Another cache configuration (override_settings) has its own generation."""
    if setting == "CACHES":
        _memo.clear()


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
        # False: the backend (strategy_portal.pagecache.backends) could not store it.
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
        data_committed.send(sender=None)


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
