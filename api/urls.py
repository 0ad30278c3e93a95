from django.urls import path

from . import views
from .api import api

urlpatterns = [
    path("api/", views.docs, name="api_docs"),
    path("api/v1/docs/", views.docs),
    path("api/v1/", api.urls),
]
