from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation


def unknown_site(request, status=404):
    """The Chinese 404 page for a host that is not one of the cluster's sites."""
    # In Chinese whatever language the worker thread's previous request left active.
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("404.html", {"unknown_site": True}, request=None)
    return HttpResponse(html, status=status)


def page_not_found(request, exception=None):
    from .context_processors import site_context

    context = site_context(request) if getattr(request, "_wagtail_site", None) else {}
    return HttpResponse(render_to_string("404.html", context, request=request), status=404)


def server_error(request):
    # No template context processors: they might be what failed.
    return HttpResponse(render_to_string("500.html"), status=500)


def robots_txt(request):
    site = getattr(request, "_wagtail_site", None)
    lines = ["User-agent: *", "Disallow: /search/?", "Allow: /"]
    if site is not None:
        lines.append(f"Sitemap: {site.root_url}/sitemap.xml")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
