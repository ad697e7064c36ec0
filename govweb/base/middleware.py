from django.conf import settings
from django.http.request import split_domain_port

from . import hosts
from .views import unknown_site


class RoleHostMiddleware:
    """Bind each request to what its role may serve.

    public: the Host must be one of the cluster's sites (or loopback for the portal); anything
            else gets the Chinese 404 page, never another site's content.
    admin:  never answers under a public site's domain, so the back end cannot be reached
            through the public front's names (R11.3).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = split_domain_port(request._get_raw_host())[0]
        role = settings.GOVWEB_ROLE
        if role == "admin":
            if hosts.is_public_site_host(host):
                return unknown_site(request, status=404)
            # Links from the admin to pages are always absolute to the public front.
            request._wagtail_site = None
        else:
            site = hosts.site_for_host(host)
            if site is None:
                return unknown_site(request)
            request._wagtail_site = site
        return self.get_response(request)
