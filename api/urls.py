from django.urls import include, path

from . import catalog, datapackage, views
from .api import api

opendata_patterns = (
    [
        path("data/", catalog.catalog, name="catalog"),
        path("data/all.zip", catalog.all_zip, name="all_zip"),
        path("data/all.xlsx", catalog.all_xlsx, name="all_xlsx"),
        path("data/municipalities.csv", catalog.municipalities_csv, name="municipalities_csv"),
        path("data/areas.csv", catalog.areas_csv, name="areas_csv"),
        path("data/dictionary.csv", catalog.dictionary_csv, name="dictionary_csv"),
        path("data/datapackage.json", datapackage.datapackage_json, name="datapackage_json"),
        path("data/hokkaido-municipalities.json", catalog.boundaries_json, name="boundaries_json"),
        path("catalog.jsonld", catalog.catalog_jsonld, name="catalog_jsonld"),
    ],
    "opendata",
)

urlpatterns = [
    path("", include(opendata_patterns)),
    path("api/", views.docs, name="api_docs"),
    path("api/v1/docs/", views.docs),
    path("api/v1/", api.urls),
]
