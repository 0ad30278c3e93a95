from django.urls import path, re_path

from . import views

app_name = "municipalities"

urlpatterns = [
    path("", views.municipality_list, name="list"),
    path("subprefectures/<slug:slug>/", views.subprefecture_detail, name="subprefecture"),
    path("areas/", views.area_list, name="areas"),
    path("areas/<slug:slug>/", views.area_detail, name="area"),
    re_path(r"^(?P<code>[0-9]{6})/$", views.municipality_detail, name="detail"),
]
