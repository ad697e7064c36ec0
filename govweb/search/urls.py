"""Public URLs of the search app (mounted on the public role, before Wagtail's page serving)."""

from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("search/api/", views.search_api, name="api"),
    path("search/suggest/", views.suggest_api, name="suggest"),
    path("search/go/", views.click, name="click"),
]
