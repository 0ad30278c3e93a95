from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import sharing, views
from .feeds import UpdatesFeed
from .sitemaps import SITEMAPS

# The pages keep the namespace they were born in: {% url 'projects:detail' %} everywhere.
app_name = "projects"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="list"),
    path("projects/<slug:slug>/", views.project_detail, name="detail"),
    path("projects/<slug:slug>/evaluation/", views.project_evaluation, name="evaluation"),
    path("about/", views.about, name="about"),
    path("editions/<int:year>/report/", views.edition_report, name="edition_report"),
    path("editions/<int:year>/errata/", views.edition_errata, name="errata"),
    path("search/", views.search, name="search"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("accessibility/results/", views.accessibility_results, name="accessibility_results"),
    path("og.png", sharing.og_image, name="og_image"),
    path("feed.atom", UpdatesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
