from django.conf import settings
from django.core.exceptions import DisallowedHost


def page_url(request) -> str:
    """The printed page's address; just the path when the Host is not ours
    (the 400 page for a bad Host must render too)."""
    try:
        return request.build_absolute_uri()
    except DisallowedHost:
        return request.get_full_path()


def site(request):
    """Names used in every page's header and footer."""
    return {
        "SITE_NAME": "北海道創生総合戦略ポータル",
        "DEBUG": settings.DEBUG,
        "page_url": page_url(request),
    }
