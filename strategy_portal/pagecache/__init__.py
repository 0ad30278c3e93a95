"""The public page cache: anonymous GETs served from memory.

Why a cache of our own, and not Django's cache middleware or a proxy cache:
docs/decisions/0005-page-cache.md. Modules: `keys` (which page a request is),
`generations` (when stored pages are stale), `middleware` (serving and storing),
`backends` (Django's cache backends, tolerant of failures, with an atomic file
cache).

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

from .generations import (
    DATA_APPS,
    GENERATION_KEY,
    clear_pages,
    connect_signals,
    data_committed,
    generation,
    invalidate,
    invalidate_on_commit,
)
from .keys import page_digest, page_key, page_location, page_url, reads
from .middleware import CACHE_HEADER, PublicPageCacheMiddleware

__all__ = [
    "CACHE_HEADER",
    "DATA_APPS",
    "GENERATION_KEY",
    "PublicPageCacheMiddleware",
    "clear_pages",
    "connect_signals",
    "data_committed",
    "generation",
    "invalidate",
    "invalidate_on_commit",
    "page_digest",
    "page_key",
    "page_location",
    "page_url",
    "reads",
]
