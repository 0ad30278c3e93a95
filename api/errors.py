"""API errors: always JSON, with a Japanese and an English message, never a 500.

django-ninja's handlers cover what happens inside an operation; the
middleware covers what Django answers before or around it (an unknown path,
a method the operation does not allow) under /api/.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import parse_http_date_safe
from ninja.errors import HttpError, Throttled, ValidationError

from strategy_portal.security import RETRY_AFTER_SECONDS, is_busy

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Longest path and query string the API reads; longer ones get a JSON 414.
# gunicorn (gunicorn.conf.py) accepts request lines up to 8,190 bytes, so the
# API answers up to there itself; beyond it the server refuses on its own.
MAX_URI_BYTES = 4096

MESSAGES = {
    400: ("invalid_parameter", "パラメータが正しくありません。", "A parameter is not valid."),
    404: ("not_found", "指定されたデータは見つかりません。", "No such resource."),
    405: (
        "method_not_allowed",
        "この API は読み取り専用です（GET・HEAD のみ）。",
        "This API is read-only (GET and HEAD only).",
    ),
    406: ("not_acceptable", "JSON のみ返せます。", "Only JSON is available."),
    414: (
        "uri_too_long",
        "URL が長すぎます（4,096バイトまで）。条件を減らしてください。",
        "The URL is too long (4,096 bytes at most); use fewer parameters.",
    ),
    429: (
        "too_many_requests",
        "リクエストが多すぎます。しばらく待ってから再度お試しください。",
        "Too many requests; please wait and retry.",
    ),
    503: (
        "service_unavailable",
        "ただいまデータを読み出せません。しばらく待ってから再度お試しください。",
        "The data cannot be read just now; please retry later (see Retry-After).",
    ),
    500: (
        "server_error",
        "サーバーで問題が起きました。時間をおいて再度お試しください。",
        "Something went wrong on the server; please retry later.",
    ),
}


def error_response(status: int, details=None, headers=None) -> JsonResponse:
    code, message, message_en = MESSAGES.get(status, MESSAGES[400])
    body = {
        "error": {
            "status": status,
            "code": code,
            "message": message,
            "message_en": message_en,
            "details": details or [],
        }
    }
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _validation_details(exc: ValidationError) -> list[dict]:
    details = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        details.append(
            {
                "parameter": location[-1] if location else "",
                "in": location[0] if location else "",
                "message_en": str(error.get("msg", "")),
            }
        )
    return details


def install(api) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return error_response(400, _validation_details(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(404)

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        headers = {"Retry-After": str(max(1, int(exc.wait or 1)))}
        return error_response(429, headers=headers)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return error_response(exc.status_code if exc.status_code in MESSAGES else 400)

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc):
        """The database is busy or cannot be reached: 503 with Retry-After, as pages."""
        if is_busy(exc):
            log.warning("API: database busy on %s: %s", request.path, exc)
        else:
            log.error("API: database unavailable on %s: %s", request.path, exc)
        return error_response(503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    @api.exception_handler(Exception)
    def server_error(request, exc):
        log.exception("API error on %s", request.path)
        return error_response(500)


class ApiResponseMiddleware:
    """Under /api/: Django's own error pages become JSON errors; Last-Modified is set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if len(request.META.get("QUERY_STRING", "")) + len(request.path) > MAX_URI_BYTES:
            return error_response(414)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            headers = {
                name: response[name]
                for name in ("Allow", "Retry-After")
                if response.has_header(name)
            }
            if "Allow" in headers:  # ninja lists the methods from a set: in a fixed order
                headers["Allow"] = ", ".join(sorted(headers["Allow"].split(", ")))
            response = error_response(response.status_code, headers=headers)
        stamp = getattr(request, "api_last_modified", None)
        if stamp and response.status_code == 200:
            response["Last-Modified"] = stamp
        if request.method == "HEAD":
            response = self.head(request, response)
        return response

    @staticmethod
    def head(request, response):
        """HEAD (each GET operation answers it too, api.routers.ReadOnlyRouter) is GET
        without the body: the GET's ETag, length and conditional answers (304), which
        Django's ConditionalGetMiddleware gives GET only."""
        set_response_etag(response)
        if response.status_code == 200:
            response = get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
                response=response,
            )
        if response.status_code != 304:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response
