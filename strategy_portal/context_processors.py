from django.conf import settings
from django.core.exceptions import DisallowedHost

from strategy_portal import share
from strategy_portal.pagecache import page_url


def _origin(request) -> str:
    """The site's own scheme and host (share images are absolute URLs); nothing when
    the Host is not ours (the 400 page for a bad Host must render too)."""
    try:
        return request.build_absolute_uri("/").removesuffix("/")
    except DisallowedHost:
        return ""


def site(request):
    """Names used in every page's header and footer; `page_url` is the page's own
    address (og:url, permalink, print line), built only from what keys its cache;
    `share` is the site's card, which a view replaces with its page's own."""
    return {
        "SITE_NAME": "北海道創生総合戦略ポータル",
        "DEBUG": settings.DEBUG,
        "page_url": page_url(request),
        "site_origin": _origin(request),
        "share": share.site_card(),
    }
