from django.urls import path

from . import sharing, views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("results.csv", views.results_csv, name="results_csv"),
    path("results.json", views.results_json, name="results_json"),
    path("progress-rule/", views.progress_rule, name="progress_rule"),
    path("grading-rule/", views.grading_rule, name="grading_rule"),
    path("<slug:slug>/", views.indicator_detail, name="detail"),
    path("<slug:slug>/results.csv", views.indicator_csv, name="detail_csv"),
    path("<slug:slug>/results.json", views.indicator_json, name="detail_json"),
    path("<slug:slug>/embed/", sharing.embed, name="embed"),
    path("<slug:slug>/og.png", sharing.og_image, name="og_image"),
]
