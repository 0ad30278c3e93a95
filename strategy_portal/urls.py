from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, register_converter
from django.views.decorators.http import require_safe

from strategy_portal import pictures

admin.site.site_header = "北海道創生総合戦略ポータル 管理"
admin.site.site_title = "戦略ポータル管理"
admin.site.index_title = "データの管理"

# A busy database is a 503 even when it is met in a middleware (strategy_portal/security.py).
handler500 = "strategy_portal.security.server_error"


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return redirect(static("favicon.svg"), permanent=True)


@require_safe
def robots_txt(request):
    """Crawlers may read every public page (an empty Disallow allows all), listed in
    the sitemap."""
    sitemap = request.build_absolute_uri("/sitemap.xml")
    return HttpResponse(
        f"User-agent: *\nDisallow:\nSitemap: {sitemap}\n", content_type="text/plain"
    )


class ChartKey:
    """A picture's key (strategy_portal.pictures.figure_key): 32 hexadecimal digits."""

    regex = "[0-9a-f]{32}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ChartKey, "chartkey")


class LoginForm(AuthenticationForm):
    """Django's login form without autofocus: a screen reader starts at the top of the
    page (skip link, heading, the explanation) instead of inside the first field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)


urlpatterns = [
    path("favicon.ico", favicon),
    path("robots.txt", robots_txt),
    path(
        "charts/<chartkey:key>-<int:width>.svg",
        require_safe(pictures.svg_view),
        name="chart_svg",
    ),
    path("", include("pages.urls")),
    path("indicators/", include("indicators.urls")),
    path("municipalities/", include("municipalities.urls")),
    path("", include("api.urls")),
    # Sign in, sign out and change one's password. No password reset by mail:
    # the site sends no mail (an administrator sets a new password instead).
    path("accounts/login/", auth_views.LoginView.as_view(form_class=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(settings.ADMIN_PATH, admin.site.urls),
]
