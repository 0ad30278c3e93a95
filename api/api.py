"""The read-only JSON API, /api/v1/ (django-ninja: typed schemas → OpenAPI 3.1).

This module puts the API together: the throttle, the NinjaAPI and its document,
the error handlers (api.errors) and one Router per area:

- api.routers.strategy: the strategy, editions, projects, themes, sections,
  categories, measures;
- api.routers.indicators: indicators, results, targets;
- api.routers.places: subprefectures, municipalities, collaboration areas.

Every list is paginated (api.pagination.Pages: `page`, `per_page`), in a fixed
order (the report's, or by code), and filterable (api.params). Drafts (results,
targets) appear only to signed-in staff, exactly as on the site: every queryset
asks the models' visible_to (strategy_portal.permissions). Errors are JSON with a
Japanese and an English message (api.errors).

The document is written for client generators too: ASCII tags (TAGS) with
Japanese display names, operation ids named after the resource (`list_results`,
`get_result`), formats where a generator reads them, and as its server the site
the request came to (tests/api/test_generated_client.py pages through every list
with a generated client).
"""

import json
import re
import threading
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from ninja import NinjaAPI
from ninja.openapi.views import openapi_json
from ninja.responses import Response
from ninja.throttling import AnonRateThrottle

from . import errors, schemas
from .routers import indicators, places, strategy

VERSION = "1.0.0"
REF = re.compile(r"#/components/schemas/([^\"]+)")


class ClientAddressThrottle(AnonRateThrottle):
    """Requests per client address (REMOTE_ADDR, or X-Forwarded-For behind
    DJANGO_PROXY_COUNT proxies); the rate is `API_THROTTLE_RATE`, read per request.

    A fixed window: one counter per address and window (a minute for "120/m"),
    created by an atomic `add` and counted by an atomic `incr` in the `throttle`
    cache (flock in the file cache, INCR in Redis, incr in Memcached), so
    concurrent requests from one address, in any thread or worker, are each
    counted once. (Reading a list of times and writing it back let 480 of 480
    requests from 32 threads through a limit of 120.) At a window's edge a
    client can send up to twice the rate in a short burst; Retry-After is the
    time until its window ends.

    A cache that cannot count (a full disk, Redis down) lets requests through:
    the API is read-only open data, and refusing every reader because a counter
    cannot be written would be an outage. The cache backend logs the failure.

    One instance serves every thread of a worker, so the state of a request
    lives in a thread-local, not on the instance as in django-ninja's base class.
    """

    def __init__(self):
        super().__init__(settings.API_THROTTLE_RATE)
        self._state = threading.local()

    @property
    def cache(self):
        """A cache of its own: counts for many addresses must not crowd the page
        generation out of `default` (a full file cache deletes entries at random)."""
        return caches["throttle"]

    def allow_request(self, request):
        count, duration = self.parse_rate(settings.API_THROTTLE_RATE)
        key = self.get_cache_key(request)
        if key is None:
            return True
        now = self.timer()
        window = int(now // duration)
        key = f"{key}:{window}"
        self._state.retry_after = (window + 1) * duration - now
        for _ in range(2):
            # The counter is kept a little past its window; an add that finds it
            # does nothing. It can expire or be culled between the add and the
            # incr (ValueError): then it is added again.
            self.cache.add(key, 0, duration + 5)
            try:
                requests = self.cache.incr(key)
            except ValueError:
                continue
            # None: the cache could not count (logged by the backend); fail open.
            return requests is None or requests <= count
        return True

    def wait(self):
        return getattr(self._state, "retry_after", None)


DESCRIPTION = """
北海道創生総合戦略ポータルのデータを JSON で返す、読み取り専用の API です。

- ライセンス：CC BY 4.0（政府標準利用規約（第2.0版）と互換）。各レスポンスの `license` と
  `attribution` のとおり出典を記載してください。
- 一覧はページ分割され（`page`、`per_page`）、順序は固定です。
- 下書き（未公開）の数値は返しません。
- エラーは `{"error": {"status", "code", "message", "message_en", "details"}}` の JSON です。
- `ETag` と `Last-Modified` に対応し、再検証（`If-None-Match`）には 304 を返します。
- CORS：どのオリジンからも GET できます。
- 利用制限：クライアントの IP アドレスごとに {rate}。超えると 429 を返します。
- URL（パスとクエリ）は4,096バイトまでです。超えると 414 を返します。
- 互換性：v1 の間、項目は追加するだけで、名前の変更や削除はしません。
"""


# The operations' tags, in the document's order. Each route names its tag in ASCII
# (clients generated from the document make package and class names of tags); the
# documentation page and viewers that read `x-displayName` show the Japanese.
TAGS = [
    {
        "name": "strategy",
        "x-displayName": "総合戦略",
        "description": "総合戦略：北海道創生総合戦略と報告書の版。",
    },
    {
        "name": "projects",
        "x-displayName": "プロジェクト",
        "description": "プロジェクト：重点戦略プロジェクトと、そのテーマ、セクション、分類（見出し）、施策。",
    },
    {
        "name": "indicators",
        "x-displayName": "指標と実績",
        "description": "指標と実績：数値目標・KPI の指標、その実績と目標。",
    },
    {
        "name": "places",
        "x-displayName": "市町村",
        "description": "市町村：振興局、市町村、連携地域。",
    },
]

# The server the committed document names: this site, relative (api/openapi.json).
# The document served at /api/v1/openapi.json names the absolute URL of the
# request's site instead (document_for_request).
SITE = {"url": "/", "description": "このサイト"}


class PortalAPI(NinjaAPI):
    """NinjaAPI whose document describes every field and parameter (in Japanese)."""

    def get_openapi_operation_id(self, operation) -> str:
        """`list_<resource>` for a paginated list, `get_<resource>` for one object,
        after the view's name (`results` → list_results, `result` → get_result,
        `strategy` → get_strategy). 1.0's document had `api_api_<view>`."""
        paginated = getattr(operation.view_func, "_ninja_is_paginated", False)
        return f"{'list' if paginated else 'get'}_{operation.view_func.__name__}"

    def get_openapi_schema(self, *args, request=None, **kwargs):
        """The document; with `request`, its server is the request's site."""
        document = super().get_openapi_schema(*args, **kwargs)
        document["tags"] = [dict(tag) for tag in TAGS]
        document["servers"] = [site_of(request)] if request else [SITE]
        for schema in document.get("components", {}).get("schemas", {}).values():
            for name, prop in schema.get("properties", {}).items():
                if not prop.get("description") and name in schemas.COMMON_DESCRIPTIONS:
                    prop["description"] = schemas.COMMON_DESCRIPTIONS[name]
                format_the_string_branch(prop)
        for operations in document["paths"].values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if isinstance(parameter.get("examples"), list):
                        # A Parameter Object's examples are a map of Example Objects.
                        parameter["examples"] = {
                            f"example{n}": {"value": value}
                            for n, value in enumerate(parameter["examples"], 1)
                        }
                    if not parameter.get("description"):
                        parameter["description"] = schemas.COMMON_DESCRIPTIONS.get(
                            parameter["name"], ""
                        )
        drop_unreferenced_schemas(document)
        return document


def site_of(request) -> dict:
    """The server the request came to, absolute (`http://127.0.0.1:8000`): its scheme
    and host as Django sees them (behind a proxy, SECURE_PROXY_SSL_HEADER and
    USE_X_FORWARDED_HOST). Without a trailing slash: every path starts with one."""
    return {"url": request.build_absolute_uri("/").rstrip("/"), "description": SITE["description"]}


def format_the_string_branch(prop: dict) -> None:
    """pydantic puts a field's `format` beside the `anyOf` of an optional one
    (`period_start`: a date or null), where generators do not look; it is copied
    onto the string branch, and stays where 1.0's document had it."""
    if "format" in prop:
        for branch in prop.get("anyOf", []):
            if branch.get("type") == "string":
                branch.setdefault("format", prop["format"])


def document_for_request(view):
    """ninja's `docs_decorator` hook, the one place where its document view meets the
    request (ninja.openapi.views.openapi_json builds the document without it): the
    document served names the request's site as its server. Any other view handed
    here (a Swagger page, were docs_url set) is left as it is."""
    if getattr(view, "func", None) is not openapi_json:
        return view

    @wraps(view)
    def served(request, **path_params):
        return Response(api.get_openapi_schema(path_params=path_params, request=request))

    return served


def drop_unreferenced_schemas(document: dict) -> None:
    """ninja lists the model of a flattened query parameter (the pages' `page` and
    `per_page`, api.pagination) among the components; the operations show those as
    parameters, so only the schemas a response reaches are kept."""
    components = document.get("components", {}).get("schemas", {})
    kept, pending = set(), REF.findall(json.dumps(document["paths"]))
    while pending:
        name = pending.pop()
        if name not in kept and name in components:
            kept.add(name)
            pending += REF.findall(json.dumps(components[name]))
    for name in set(components) - kept:
        del components[name]


api = PortalAPI(
    title="北海道創生総合戦略ポータル API",
    version=VERSION,
    description=DESCRIPTION.replace("{rate}", settings.API_THROTTLE_DOC),
    urls_namespace="api",
    docs_url=None,  # the documentation page is ours, in Japanese, rendered from the document
    openapi_url="/openapi.json",
    docs_decorator=document_for_request,
    throttle=[ClientAddressThrottle()],
    openapi_extra={
        "info": {
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
            "contact": {"name": "北海道創生総合戦略ポータル"},
        },
    },
)
errors.install(api)
# The order here is the order of the document and of the documentation page.
api.add_router("", strategy.router)
api.add_router("", indicators.router)
api.add_router("", places.router)
