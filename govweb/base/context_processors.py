from django.conf import settings

from govweb.cluster.models import CityBrand, SiteProfile


def _nav_columns(site, request=None):
    if site is None:
        return []
    # Kept per request, not on the Site object: hosts.py keeps Site objects for seconds, and a
    # new or renamed column must show at once (the page cache already spares the queries).
    columns = getattr(request, "_govweb_nav", None)
    if columns is None:
        from govweb.library.models import ColumnPage

        columns = list(
            ColumnPage.objects.child_of(site.root_page).live().public().in_menu()
            .only("id", "title", "url_path", "path", "depth")
        )
        if request is not None:
            request._govweb_nav = columns
    return columns


def site_context(request):
    """The current site's profile and the city brand, for header, footer and meta tags."""
    site = getattr(request, "_wagtail_site", None)
    profile = None
    if site is not None:
        profile = getattr(request, "_govweb_profile", None)
        if profile is None:
            profile = SiteProfile.objects.filter(site=site).select_related("site", "parent").first()
            request._govweb_profile = profile
    return {
        "site_profile": profile,
        "site_nav_columns": _nav_columns(site, request),
        "city_brand": CityBrand.load(request_or_site=request),
        "govweb_role": settings.GOVWEB_ROLE,
    }
