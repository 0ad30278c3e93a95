"""What every operation puts around and into its objects: absolute URLs of API
objects and site pages, links ({id, name, url}), the licence envelope of a single
object, and Last-Modified."""

from django.db.models import Max
from django.urls import reverse
from django.utils.http import http_date, urlencode

from opendata import licence
from projects import credits

# Places are credited to the code table too (総務省「全国地方公共団体コード」).
CODE_TABLE_CREDIT = licence.CODE_TABLE_TERMS["credit"]


def api_url(request, name: str, *args, query: dict | None = None) -> str:
    """The absolute URL of the API operation `api:<name>`, with a query string if given."""
    url = request.build_absolute_uri(reverse(f"api:{name}", args=args))
    return f"{url}?{urlencode(query)}" if query else url


def site_url(request, obj) -> str:
    """The absolute URL of the site's page for a model object."""
    return request.build_absolute_uri(obj.get_absolute_url())


def link(request, name: str, key, label: str) -> dict:
    return {"id": key, "name": label, "url": api_url(request, name, key)}


def document(data, other_credits=()) -> dict:
    """One object in the licence envelope: {license, license_name, attribution, data}."""
    return {**credits.license_fields(*other_credits), "data": data}


def set_last_modified(request, *querysets) -> None:
    """Last-Modified from the newest row behind the response (ETag covers the rest);
    api.errors.ApiResponseMiddleware puts it on the response."""
    stamps = [qs.aggregate(latest=Max("updated_at"))["latest"] for qs in querysets]
    stamps = [stamp for stamp in stamps if stamp is not None]
    if stamps:
        request.api_last_modified = http_date(max(stamps).timestamp())
