"""The public front: sites as citizens see them. Nothing staff-only may ever be routed here."""

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve as static_serve
from wagtail import urls as wagtail_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents.views.serve import serve as serve_document

from govweb.base import views as base_views

handler404 = "govweb.base.views.page_not_found"
handler500 = "govweb.base.views.server_error"

urlpatterns = [
    path("robots.txt", base_views.robots_txt),
    path("sitemap.xml", sitemap),
    # Only the download view of Wagtail's document URLs: no password or admin endpoints.
    re_path(r"^documents/(\d+)/(.*)$", serve_document, name="wagtaildocs_serve"),
]

# Each domain app mounts its public pages under its own prefix (see the app's urls.py).
for app in ("search", "interaction", "services", "disclosure", "reprint", "analytics"):
    urlpatterns.append(path("", include(f"govweb.{app}.urls")))

if settings.DEMO:
    # Embedded default: uploaded media from the data dir. Production: nginx or object storage.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", static_serve, {"document_root": settings.MEDIA_ROOT})
    )

urlpatterns.append(path("", include(wagtail_urls)))
