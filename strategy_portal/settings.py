"""Settings for Strategy Portal, read from the environment.

Development needs no configuration at all (`make run`): SQLite in the
project folder, DEBUG on, a throwaway secret key. Production sets
DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def cache_from_url(url: str, part: str = "", max_entries: int | None = None) -> dict:
    """locmem:// (one process), file:///path (one machine), redis://host:6379/1,
    memcached://host:11211 (several machines). `part` keeps another cache apart in
    the same place: a subdirectory of the file cache, a key prefix in Redis/Memcached.
    `max_entries` bounds the local and file caches; Redis and Memcached evict by
    their own memory limit (and would take the option for a connection argument).
    Every backend is Django's, wrapped (strategy_portal/pagecache/backends.py) so that a
    cache that cannot be read or written is never an error: a full disk or Redis
    down means uncached pages and an API limit that lets requests through."""
    parsed = urlparse(url)
    bounded = {"OPTIONS": {"MAX_ENTRIES": max_entries}} if max_entries else {}
    if parsed.scheme in ("locmem", ""):
        return {
            "BACKEND": "strategy_portal.pagecache.backends.LocMemCache",
            "LOCATION": f"portal{part}",
            **bounded,
        }
    if parsed.scheme in ("redis", "rediss"):
        return {
            "BACKEND": "strategy_portal.pagecache.backends.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": part,
        }
    if parsed.scheme == "file":
        # One machine, several worker processes: they share the files.
        return {
            "BACKEND": "strategy_portal.pagecache.backends.FileCache",
            "LOCATION": str(Path(parsed.path) / part) if part else parsed.path,
            **bounded,
        }
    if parsed.scheme in ("memcached", "pymemcache"):
        return {
            "BACKEND": "strategy_portal.pagecache.backends.PyMemcacheCache",
            "LOCATION": parsed.netloc,
            "KEY_PREFIX": part,
        }
    raise ImproperlyConfigured(f"DJANGO_CACHE_URL: unsupported scheme {parsed.scheme!r}")


DEBUG = envbool("DJANGO_DEBUG", "1")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-not-for-production"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "csp",
    "axes",
    "corsheaders",
    "django_tables2",
    "django_filters",
    "simple_history",
    "import_export",
    "strategy_portal.apps.StrategyPortalConfig",
    "opendata",
    "municipalities",
    "projects",
    "indicators",
    "api",
    "pages",
]

MIDDLEWARE = [
    "strategy_portal.security.SecurityHeadersMiddleware",
    "strategy_portal.security.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that accept gzip (a proxy in front may do it too;
    # static files come compressed from whitenoise). Django's, with its BREACH padding.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "strategy_portal.pagecache.PublicPageCacheMiddleware",
    "api.errors.ApiResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "strategy_portal.security.NotFoundPageMiddleware",
    "strategy_portal.security.BusyDatabaseMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out logins
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "strategy_portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "strategy_portal.context_processors.site",
                "indicators.context_processors.demo_data",
            ],
            "builtins": ["strategy_portal.templatetags.portal"],
        },
    },
]

WSGI_APPLICATION = "strategy_portal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
    )
}
# A busy database answers 「混み合っています」 503 (strategy_portal/security.py), never 500.
DB_BUSY_TIMEOUT_MS = envint("DJANGO_DB_BUSY_TIMEOUT_MS", "15000")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as an embedded production database: WAL, so a read never waits on
    # a writer; IMMEDIATE, so a writing transaction takes the write lock when it
    # begins and waits its turn (busy timeout) instead of failing halfway with
    # "database is locked" when it upgrades from reading.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": DB_BUSY_TIMEOUT_MS / 1000,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # No statement runs away with a worker and no lock is waited on for ever;
    # an idle transaction left open by a crashed worker does not hold its locks.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={DB_BUSY_TIMEOUT_MS}"
        f" -c statement_timeout={envint('DJANGO_DB_STATEMENT_TIMEOUT_MS', '30000')}"
        " -c idle_in_transaction_session_timeout=60000"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
# Japanese for strings the admin add-ons leave in English (compiled .mo committed beside the .po).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production: hashed names (cached "forever" by browsers) and gzip copies.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 3600  # unhashed names; hashed ones are immutable (whitenoise: ten years)

# `default` is shared by every process and server (page generation…): a file
# cache for the processes of one machine — `make run` and `make serve` alike, so
# a change made by `manage.py load_seed` or a shell shows on the next request —
# and Redis/Memcached (DJANGO_CACHE_URL) for several machines. A rendered page is
# kept in `shared_pages`, in the same place, so that after a change one worker
# renders it and the others take its copy (strategy_portal/pagecache/), and in the
# memory of each worker (`pages`), which serves it.
CACHE_URL = os.environ.get("DJANGO_CACHE_URL", f"file://{BASE_DIR}/.cache")
CACHES = {
    "default": cache_from_url(CACHE_URL),
    # Bounded: unique query strings (searches) cannot fill the disk.
    "shared_pages": cache_from_url(
        CACHE_URL, "pages", max_entries=envint("DJANGO_SHARED_PAGE_CACHE_ENTRIES", "3000")
    ),
    # The API's per-address counts, apart so that they cannot crowd out the generation.
    "throttle": cache_from_url(CACHE_URL, "throttle"),
    "pages": {
        "BACKEND": "strategy_portal.pagecache.backends.LocMemCache",
        "LOCATION": "pages",
        # Bounded: unique query strings cannot grow a worker without limit.
        "OPTIONS": {"MAX_ENTRIES": envint("DJANGO_PAGE_CACHE_ENTRIES", "1000")},
    },
}
PAGE_CACHE_MAX_BYTES = 512 * 1024  # a larger page is rendered each time, never stored
PAGE_CACHE_SECONDS = envint("DJANGO_PAGE_CACHE_SECONDS", "600")
# X-Page-Cache: miss/hit/shared/stale on public pages, for diagnosis (off in production).
PAGE_CACHE_STATUS_HEADER = os.environ.get("DJANGO_PAGE_CACHE_STATUS_HEADER", "0") == "1"
# How long the other workers wait for one worker's render before rendering the page
# themselves (a worker killed mid-render leaves its claim; renders take under 1 s).
PAGE_RENDER_CLAIM_SECONDS = 10
ADMIN_PATH = os.environ.get("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"
# The API is not page-cached, so its per-address limit counts every request.
PAGE_CACHE_EXCLUDE = ["/" + ADMIN_PATH, "/accounts/", "/static/", "/api/v1/"]

# --- security ----------------------------------------------------------------
# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000")
# An operator may turn these off explicitly (the proxy in front redirects to HTTPS, or
# sets HSTS itself). Only then is the matching deploy check silenced, and the
# portal.I001 check says which and why, so `check --deploy` (make serve) passes and
# still shows it. Left unset, the checks stay on.
OPTED_OUT_DEPLOY_CHECKS = {}
if "DJANGO_SECURE_SSL_REDIRECT" in os.environ and not SECURE_SSL_REDIRECT:
    OPTED_OUT_DEPLOY_CHECKS["security.W008"] = (
        "DJANGO_SECURE_SSL_REDIRECT=0: the proxy in front must redirect HTTP to HTTPS"
    )
if "DJANGO_HSTS_SECONDS" in os.environ and SECURE_HSTS_SECONDS == 0:
    OPTED_OUT_DEPLOY_CHECKS["security.W004"] = (
        "DJANGO_HSTS_SECONDS=0: the proxy in front must send Strict-Transport-Security"
    )
SILENCED_SYSTEM_CHECKS = list(OPTED_OUT_DEPLOY_CHECKS)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")
X_FRAME_OPTIONS = "DENY"

# A strict policy: only this site's own files run, no inline script, no eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Login throttling (strategy_portal/security.py): 5 failures for a username from
# one address lock that pair for an hour; 20 failures from one address, over any
# usernames, lock the address. The account itself is never locked, so strangers
# elsewhere cannot lock its owner out. The address is the client's behind
# DJANGO_PROXY_COUNT proxies (X-Forwarded-For), REMOTE_ADDR when 0.
PROXY_COUNT = envint("DJANGO_PROXY_COUNT", "0")
AXES_CLIENT_IP_CALLABLE = "strategy_portal.security.client_ip"
AXES_HANDLER = "strategy_portal.security.PortalAxesHandler"
AXES_FAILURE_LIMIT = envint("DJANGO_AXES_FAILURE_LIMIT", "5")
AXES_ADDRESS_FAILURE_LIMIT = envint("DJANGO_AXES_ADDRESS_FAILURE_LIMIT", "20")
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True


def _without_traceback(record) -> bool:
    record.exc_info = record.exc_text = None
    return True


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "without_traceback": {
            "()": "django.utils.log.CallbackFilter",
            "callback": _without_traceback,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # An unknown Host (400) in one line: anyone can send one, so no traceback each time.
        "django.security.DisallowedHost": {
            "handlers": ["console"],
            "filters": ["without_traceback"],
            "propagate": False,
        },
    },
}

# --- open data ------------------------------------------------------------------
# The API and the downloads are public: any origin may GET them (no cookies are
# sent cross-origin, so drafts stay with signed-in staff on this site).
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/(api/|data/|catalog\.jsonld$|indicators/(.+/)?results\.(csv|json)$)"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified", "Link", "Retry-After")
# Requests per client address to /api/v1/ (django-ninja's throttle: N/s, N/m, N/h, N/d).
API_THROTTLE_RATE = os.environ.get("DJANGO_API_THROTTLE_RATE", "120/m")
_PERIODS = {"s": "1秒", "m": "1分", "h": "1時間", "d": "1日"}
_count, _, _period = API_THROTTLE_RATE.partition("/")
API_THROTTLE_DOC = f"{_PERIODS.get(_period[:1], _period)}あたり{_count}リクエスト"
NINJA_NUM_PROXIES = envint("DJANGO_PROXY_COUNT", "0")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# The seed fixtures: reviewable YAML/CSV loaded by `manage.py load_seed`.
SEED_DIR = BASE_DIR / "fixtures"
# Where an uploaded spreadsheet waits between its preview and its confirmation
# (indicators/uploads.py: ImportTempStorage); files expire after an hour.
IMPORT_DIR = os.environ.get(
    "DJANGO_IMPORT_DIR", os.path.join(tempfile.gettempdir(), "strategy-portal-imports")
)

# The charts' pictures (strategy_portal/pictures.py): SVGs drawn off the request path by
# `manage.py render_charts` with kaleido and Chromium, kept by the figure's content.
# DJANGO_CHART_RENDERING=off queues figures but starts no renderer (the tests; a
# machine that must not run a browser); DJANGO_CHART_BROWSER names the browser when
# it is not chromium on the PATH.
CHART_DIR = Path(os.environ.get("DJANGO_CHART_DIR", BASE_DIR / ".charts"))
CHART_RENDERING = os.environ.get("DJANGO_CHART_RENDERING", "background")
CHART_BROWSER = os.environ.get("DJANGO_CHART_BROWSER", "")

# Editors' spreadsheet import/export of results (django-import-export; issue 4).
# An import is one transaction, rolled back as a whole if any row is wrong; each
# import is also written to the admin log. The upload limit (2 MB) and the formats
# (CSV, XLSX) are set on the admin (indicators/admin.py), where the Japanese
# message is. IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT stays off: it only strips a
# leading "=" and turns every cell into text (an empty cell into "None"); the
# results resource escapes = + - @ itself (indicators/resources.py). Blank lines
# are skipped by the resource, not dropped on reading, so the row numbers in error
# messages stay those of the file.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# No request body over 3 MB is read (the import takes files of up to 2 MB);
# set the proxy's limit (nginx: client_max_body_size) to the same.
MAX_REQUEST_BYTES = 3 * 1024 * 1024
# Reading and checking an uploaded file stops after this many seconds, with a
# message (indicators/uploads.py has the other limits: rows, cells, XLSX size).
# A preview holds the write lock meanwhile: keep it below DJANGO_DB_BUSY_TIMEOUT_MS.
IMPORT_MAX_SECONDS = envint("DJANGO_IMPORT_MAX_SECONDS", "10")

# Mail: the update rounds' reminders (indicators.reminders, `manage.py send_reminders`).
# With DJANGO_EMAIL_HOST set, mail goes to that SMTP server; without it (`make run`),
# Django's console backend prints each mail to the log instead of sending it.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_PORT = envint("DJANGO_EMAIL_PORT", "25")
EMAIL_USE_TLS = envbool("DJANGO_EMAIL_USE_TLS", "0")
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = envint("DJANGO_EMAIL_TIMEOUT", "20")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "strategy-portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address links in mails start with (a mail has no request to take it from).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A round opened, or a task submitted or returned, starts `send_reminders` at once in
# the background ("background"); "off" leaves it to the daily run (the tests).
REMINDERS = os.environ.get("DJANGO_REMINDERS", "background")
