"""Helpers shared by the reprint tests: demo sites, users, admin and public requests."""

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from govweb.cluster.models import SiteProfile
from govweb.cluster.validators import local_host_for
from govweb.library.models import ArticlePage, ColumnPage

ADMIN_HOST = "127.0.0.1:8001"
PUBLIC_PORT = 8000


def profile(key):
    """A demo site by its key (the demo gives each home page the key as its slug)."""
    return SiteProfile.objects.select_related("site__root_page").get(site__root_page__slug=key)


def user(username):
    return get_user_model().objects.get(username=username)


def column(site_profile, kind="news"):
    return (ColumnPage.objects.descendant_of(site_profile.site.root_page)
            .filter(kind=kind).order_by("path").first())


def own_article(site_profile):
    """A published article of the site itself, neither an alias nor pushed anywhere yet."""
    from govweb.reprint.models import PushRecord

    pushed = PushRecord.objects.values_list("source_page_id", flat=True)
    return (ArticlePage.objects.descendant_of(site_profile.site.root_page).live()
            .filter(alias_of__isnull=True).exclude(pk__in=pushed).order_by("path").first())


@contextmanager
def public_role():
    with override_settings(GOVWEB_ROLE="public", ROOT_URLCONF="govweb.urls.public"):
        yield


def public_get(client, site_profile, path):
    """GET a path on a site's host as a citizen would (public role)."""
    host = f"{local_host_for(site_profile.domain)}:{PUBLIC_PORT}"
    with public_role():
        # A fresh anonymous client: no session cookie, so the public page cache is in play
        # and a stale cached copy of a pushed page would show up here.
        return Client().get(path, HTTP_HOST=host)


def path_on_site(page, site_profile):
    """The public path of a page inside its site (url_path minus the site root's)."""
    root = site_profile.site.root_page.url_path
    return "/" + page.url_path[len(root):]


@pytest.fixture
def as_user(client):
    def login(username):
        client.force_login(user(username))
        return client
    return login
