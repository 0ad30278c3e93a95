from django.urls import path, re_path

from . import sharing, views

app_name = "municipalities"

urlpatterns = [
    path("", views.municipality_list, name="list"),
    path("subprefectures/<slug:slug>/", views.subprefecture_detail, name="subprefecture"),
    path(
        "subprefectures/<slug:slug>/og.png",
        sharing.subprefecture_og_image,
        name="subprefecture_og_image",
    ),
    path("areas/", views.area_list, name="areas"),
    path("areas/<slug:slug>/", views.area_detail, name="area"),
    path("areas/<slug:slug>/og.png", sharing.area_og_image, name="area_og_image"),
    re_path(r"^(?P<code>[0-9]{6})/$", views.municipality_detail, name="detail"),
    re_path(r"^(?P<code>[0-9]{6})/og\.png$", sharing.og_image, name="og_image"),
]
