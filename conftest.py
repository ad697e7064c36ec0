"""Shared fixtures: the demo cluster is loaded once per test session and rolled back per test."""

import os

import pytest

# Playwright's sync API keeps an event loop running in the worker for the browser session;
# Django would then refuse ORM calls in later tests of the same worker. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
from django.test import override_settings

PUBLIC_PORT = 8000


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from govweb.cluster import demo

    with django_db_blocker.unblock():
        demo.load_demo()


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Each test starts with an empty page cache (the database is rolled back, so must it be)."""
    from govweb.base import pagecache

    pagecache.clear()
    yield


@pytest.fixture
def admin_role():
    """Serve requests as the admin back end does (GOVWEB_ROLE=admin)."""
    with override_settings(GOVWEB_ROLE="admin", ROOT_URLCONF="govweb.urls.admin"):
        yield


def host_of(key):
    """The local host name a demo site answers on, e.g. 'www-yunyan.localhost:8000'."""
    from govweb.cluster import demo_content
    from govweb.cluster.validators import local_host_for

    return f"{local_host_for(demo_content.site(key)['domain'])}:{PUBLIC_PORT}"


@pytest.fixture
def site_host():
    return host_of
