"""Configuration checks run by `govweb check` (and by Django's own `check`)."""

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.urls import Resolver404, get_resolver

# Paths that must never reach a staff-facing view on the public role (R11.3).
STAFF_PATHS = [
    "/admin/", "/admin/login/", "/admin/pages/", "/admin/documents/", "/admin/images/",
    "/django-admin/", "/django-admin/login/", "/cms/", "/login/", "/accounts/login/",
    "/documents/authenticate_with_password/1/", "/images/", "/admin/api/",
]


def _staff_views_reachable(urlconf):
    resolver = get_resolver(urlconf)
    reachable = []
    for path in STAFF_PATHS:
        try:
            match = resolver.resolve(path)
        except Resolver404:
            continue
        module = getattr(match.func, "__module__", "") or ""
        # Wagtail's page-serving catch-all answers 404 for these; anything else is staff-facing.
        if module != "wagtail.views":
            reachable.append(f"{path} → {module}.{getattr(match.func, '__name__', '?')}")
    return reachable


@register(Tags.security, Tags.urls, deploy=False)
def check_public_role_has_no_admin(app_configs, **kwargs):
    if settings.GOVWEB_ROLE != "public":
        return []
    reachable = _staff_views_reachable(settings.ROOT_URLCONF)
    if reachable:
        return [
            Error(
                "The public role routes staff-only URLs: " + "; ".join(reachable),
                hint="The public front must not mount the Wagtail or Django admin, logins or "
                "document/image management. Serve those from GOVWEB_ROLE=admin only.",
                id="govweb.E001",
            )
        ]
    return []


@register(Tags.security, deploy=False)
def check_production_settings(app_configs, **kwargs):
    if settings.DEMO:
        return []
    errors = []
    if settings.DEBUG:
        errors.append(
            Error("DEBUG is on in production.", hint="Unset DEBUG.", id="govweb.E002")
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(
            Warning("ALLOWED_HOSTS accepts any host.", hint="List the site domains.", id="govweb.W001")
        )
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        errors.append(
            Warning(
                "Production runs on SQLite.",
                hint="Set DATABASE_URL to PostgreSQL for more than one public node.",
                id="govweb.W002",
            )
        )
    return errors


@register(Tags.caches, deploy=False)
def check_edge_mirror_dir(app_configs, **kwargs):
    """GOVWEB_EDGE_MIRROR_DIR (base/edgemirror.py) must be a directory the public role can write:
    otherwise nginx would send every plain page request past its cache to the app."""
    from . import edgemirror

    root = edgemirror.mirror_dir()
    if root is None or settings.GOVWEB_ROLE != "public":
        return []
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".check-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        return [Error(f"GOVWEB_EDGE_MIRROR_DIR {root} is not writable: {error}.",
                      hint="Create it on tmpfs, writable by the public role and readable by nginx.",
                      id="govweb.E003")]
    return []
