"""Per-site sitemap (网站地图 XML) for search engines, cached and purged like pages."""

from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from . import pagecache


def sitemap(request):
    """Every live, public page of the requesting site only (the Host picks the site)."""
    site = getattr(request, "_wagtail_site", None)
    response = wagtail_sitemap(request)
    if site is not None:
        pagecache.tag_response(request, pagecache.site_tags(site))
        response.render()
    return response


def html_sitemap(request):
    """网站地图: the site's columns and sub-columns, without empty ones, for people."""
    from django.http import Http404
    from django.template.response import TemplateResponse
    from wagtail.models import Page

    from govweb.library.models import ColumnPage

    site = getattr(request, "_wagtail_site", None)
    if site is None:
        raise Http404
    root = site.root_page
    columns = list(ColumnPage.objects.descendant_of(root).live().public().order_by("path"))
    # Columns with something live below them (no empty column is ever shown).
    filled = {c.pk for c in columns
              if Page.objects.descendant_of(c).live().not_type(ColumnPage).exists()}
    top = [c for c in columns if c.depth == root.depth + 1 and c.pk in filled]
    tree = [(c, [s for s in columns if s.depth == c.depth + 1 and s.path.startswith(c.path)
                 and s.pk in filled]) for c in top]
    pagecache.tag_response(request, pagecache.site_tags(site))
    return TemplateResponse(request, "front/sitemap.html", {"tree": tree})
