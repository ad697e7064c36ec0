"""URLs of the library on the admin role (internal network): the import endpoint for outside sites."""

from django.urls import path

from . import views

app_name = "library"
urlpatterns = [
    path("api/library/import/", views.import_items, name="import_items"),
]
