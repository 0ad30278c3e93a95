from django.conf import settings


def site(request):
    """Names used in every page's header and footer."""
    return {
        "SITE_NAME": "北海道創生総合戦略ポータル",
        "DEBUG": settings.DEBUG,
    }
