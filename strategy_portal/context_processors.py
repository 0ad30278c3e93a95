from django.conf import settings

from strategy_portal.pagecache import page_url


def site(request):
    """Names used in every page's header and footer; `page_url` is the page's own
    address (og:url, permalink, print line), built only from what keys its cache."""
    return {
        "SITE_NAME": "北海道創生総合戦略ポータル",
        "DEBUG": settings.DEBUG,
        "page_url": page_url(request),
    }
