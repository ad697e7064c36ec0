"""The public front: sites as citizens see them. Nothing staff-only may ever be routed here."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.static import serve as static_serve
from wagtail import urls as wagtail_urls
from wagtail.documents.views.serve import serve as serve_document

from govweb.base import a11y, feeds, seo
from govweb.base import views as base_views

handler404 = "govweb.base.views.page_not_found"
handler500 = "govweb.base.views.server_error"

urlpatterns = [
    path("robots.txt", base_views.robots_txt),
    path("sitemap.xml", seo.sitemap),
    # Public front (issue 4): accessibility preferences and feeds of each site and column.
    path("a11y/", a11y.toggle, name="a11y_toggle"),
    path("sitemap/", seo.html_sitemap, name="html_sitemap"),
    path("feeds/rss.xml", feeds.rss, name="feed_rss"),
    path("feeds/atom.xml", feeds.atom, name="feed_atom"),
    path("feeds/<int:column_id>/rss.xml", feeds.rss, name="feed_column_rss"),
    path("feeds/<int:column_id>/atom.xml", feeds.atom, name="feed_column_atom"),
    # Only the download view of Wagtail's document URLs: no password or admin endpoints.
    re_path(r"^documents/(\d+)/(.*)$", serve_document, name="wagtaildocs_serve"),
]

# Each domain app mounts its public pages under its own prefix (see the app's urls.py).
for app in ("search", "interaction", "services", "disclosure", "reprint", "analytics", "supervision"):
    urlpatterns.append(path("", include(f"govweb.{app}.urls")))

if settings.DEMO:
    # Embedded default: uploaded media from the data dir. Production: nginx or object storage.
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", static_serve, {"document_root": settings.MEDIA_ROOT})
    )

# Pages in Chinese at their plain address, the English interface under /en/ (the language is
# part of the path, so cached pages never vary on headers or cookies).
urlpatterns += i18n_patterns(path("", include(wagtail_urls)), prefix_default_language=False)
