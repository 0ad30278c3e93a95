"""Login throttling, response headers and the answer to a busy database.

- `client_ip`: the visitor's address behind DJANGO_PROXY_COUNT proxies. Each
  proxy appends the address it received the request from to
  X-Forwarded-For, so the client is the N-th entry from the right; anything
  left of it was written by the client and is not trusted. (django-ipware's
  `proxy_count` counts differently: with one nginx and no client-sent header
  it answers no address at all, which would put every visitor in one bucket.)
- `PortalAxesHandler`: axes counts failures per username+address (the account
  is never locked for its owner by strangers at other addresses) and per
  address across usernames (one address cannot spray passwords over names).
- `SecurityHeadersMiddleware`: Permissions-Policy and
  Cross-Origin-Resource-Policy on every response, static files and cached
  pages included, and Cache-Control on error pages.
- `RequestSizeMiddleware`: a body over MAX_REQUEST_BYTES is refused (413,
  in Japanese) before anything reads it; Django would otherwise spool any
  multipart upload to disk for any POST, anonymous ones included (the CSRF
  check reads the form).
- `BusyDatabaseMiddleware` and `server_error`: a locked SQLite database, a
  PostgreSQL lock/statement timeout, or a database that cannot be reached at
  all (stopped, its file gone) answers 「混み合っています」 503 with
  Retry-After, never a 500; the page cache serves its last copy of a page
  instead when it has one (strategy_portal/pagecache/), and the API answers
  the same 503 in its JSON shape (api/errors.py).
"""

import ipaddress
import logging
import sys

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.template import loader
from django.utils.cache import patch_cache_control
from django.views import defaults

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, trusting exactly DJANGO_PROXY_COUNT proxies."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        # Not through all our proxies (or a proxy that does not forward): the
        # peer is the best we know.
        return remote
    return _valid_ip(hops[-count]) or remote


class PortalAxesHandler(AxesDatabaseHandler):
    """Locked when a username+address pair reaches AXES_FAILURE_LIMIT failures,
    or an address reaches AXES_ADDRESS_FAILURE_LIMIT failures over any names.

    Axes compares one number with one limit, so the address's count is scaled
    onto the pair's limit: address × pair_limit // address_limit reaches
    pair_limit exactly when the address reaches its own limit.
    """

    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        pair, address = (counts + [0, 0])[:2]
        pair_limit = settings.AXES_FAILURE_LIMIT
        return max(pair, address * pair_limit // settings.AXES_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears that username+address pair only: signing in
        to one's own account must not wipe the address's count of failures
        against other names."""
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _ = pair.delete()
        return count


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not send; outermost, so they are
    on whitenoise's files and on pages served from the page cache too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if response.status_code >= 400 and not response.has_header("Cache-Control"):
            # An error is about this moment: no proxy or browser should keep it.
            patch_cache_control(response, no_store=True)
        return response


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            limit = settings.MAX_REQUEST_BYTES // (1024 * 1024)
            body = loader.render_to_string(
                "413.html", {"limit_mb": limit, "size_mb": f"{length / 1024 / 1024:,.1f}"}
            )
            response = HttpResponse(body, status=413)
            response["Connection"] = "close"  # the unread body is not read
            return response
        return self.get_response(request)


def is_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" / "busy", PostgreSQL's lock or statement timeout."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__ or error
    code = getattr(cause, "pgcode", None)
    if code in ("55P03", "57014", "40P01"):  # lock_not_available, query_canceled, deadlock
        return True
    text = str(error).lower()
    return "is locked" in text or "database is busy" in text


def is_unavailable(error: BaseException) -> bool:
    """The database cannot answer now: busy (above), or not reachable at all — a
    stopped or restarting PostgreSQL, a connection dropped, a SQLite file that
    cannot be opened. Any OperationalError or InterfaceError: the request can be
    retried later, and the transaction it was in is rolled back whole."""
    return isinstance(error, OperationalError | InterfaceError)


def busy_response(request):
    body = loader.render_to_string("503.html", request=None)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    # The page cache serves its last copy of the page instead, if it has one.
    response.database_unavailable = True
    return response


class BusyDatabaseMiddleware:
    """A view that meets a busy or unreachable database answers 503 (the request
    can be retried)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            _log_unavailable(request, exception)
            return busy_response(request)
        return None


def _log_unavailable(request, error):
    if is_busy(error):
        log.warning("database busy: %s %s: %s", request.method, request.path, error)
    else:
        log.error("database unavailable: %s %s: %s", request.method, request.path, error)


class NotFoundPageMiddleware:
    """A page not found is the site's Japanese 404 under `make run` (DEBUG on) as in
    production: Django's technical 404 (English, listing the URL patterns) is for no
    reader. A page that answers 404 itself keeps its own answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code == 404 and _technical_404(response):
            return defaults.page_not_found(request, Http404())
        return response


def _technical_404(response) -> bool:
    """Django's debug 404 page (django/views/templates/technical_404.html)."""
    content = getattr(response, "content", b"")[:2000]
    return (
        b'<meta name="robots" content="NONE,NOARCHIVE">' in content and b"Page not found" in content
    )


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: also reached from middleware (sessions, axes), where
    process_exception does not run; a busy database there is a 503 as well."""
    error = sys.exc_info()[1]
    if error is not None and is_unavailable(error):
        _log_unavailable(request, error)
        return busy_response(request)
    return defaults.server_error(request, template_name)
