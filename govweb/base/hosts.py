"""Which site answers a request's Host header, strictly: an unknown host gets no site at all.

Wagtail falls back to the default site for any unknown host; a government cluster must not
show the portal under somebody else's domain, so the public role resolves hosts here first.
"""

import time

from wagtail.models import Site

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
_TTL_SECONDS = 10
_cache = {"expires": 0.0, "hosts": {}, "default": None}


def forget():
    _cache["expires"] = 0.0


def _load():
    hosts, default = {}, None
    for site in Site.objects.all():
        hosts[site.hostname.lower()] = site
        if site.is_default_site:
            default = site
    _cache.update(hosts=hosts, default=default, expires=time.monotonic() + _TTL_SECONDS)


def site_for_host(host):
    """The Site for a bare host name (no port), or None. Loopback names mean the default site."""
    if time.monotonic() >= _cache["expires"]:
        _load()
    host = host.lower().rstrip(".")
    site = _cache["hosts"].get(host)
    if site is None and host in LOOPBACK_HOSTS:
        site = _cache["default"]
    return site


def is_public_site_host(host):
    """True when host is a public site's name or domain — the admin role refuses those."""
    from govweb.cluster.models import SiteProfile

    host = host.lower().rstrip(".")
    if site_for_host(host) is not None and host not in LOOPBACK_HOSTS:
        return True
    return SiteProfile.objects.filter(domain=host).exists() or host.endswith(".gov.cn")
