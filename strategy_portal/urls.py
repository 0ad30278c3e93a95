from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_safe

admin.site.site_header = "北海道創生総合戦略ポータル 管理"
admin.site.site_title = "戦略ポータル管理"
admin.site.index_title = "データの管理"


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's)."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("", include("projects.urls")),
    path("indicators/", include("indicators.urls")),
    path("municipalities/", include("municipalities.urls")),
    path("", include("api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path(settings.ADMIN_PATH, admin.site.urls),
]
