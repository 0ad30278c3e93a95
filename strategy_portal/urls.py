from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "北海道創生総合戦略ポータル 管理"
admin.site.site_title = "戦略ポータル管理"
admin.site.index_title = "データの管理"

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that name none (the admin's).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("", include("projects.urls")),
    path("indicators/", include("indicators.urls")),
    path("municipalities/", include("municipalities.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path(settings.ADMIN_PATH, admin.site.urls),
]
