from django.conf import settings


def site(request):
    """Names used in every page's header and footer."""
    return {
        "SITE_NAME": "北海道創生総合戦略ポータル",
        "SITE_SOURCE": "北海道総合政策部「北海道創生総合戦略に基づく これまでの主な取組と 2018年度の推進方向」（2018年5月）",
        "DEBUG": settings.DEBUG,
    }
