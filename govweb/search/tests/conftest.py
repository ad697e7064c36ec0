"""Search test fixtures.

The demo cluster's index is built once per session (by the search demo loader) in the test
data dir. Tests roll back the database but an index is not transactional, so every key a
test writes is remembered and re-synchronised from the (rolled back) database before the
next search test starts.
"""

import pytest
from django.core.cache import cache
from django.test import override_settings
from wagtail.models import Page

from govweb.search import actions, queries

actions.TRACK_TOUCHED["on"] = True


def _resync_touched():
    keys = set(actions.touched_keys)
    actions.touched_keys.clear()
    for key in keys:
        kind, _, pk = key.partition(":")
        if kind == "page":
            actions.do_index_page(int(pk))
        else:
            try:
                actions.do_index_item(kind, pk)
            except LookupError:
                actions.do_remove_from_index([key])
    actions.touched_keys.clear()


@pytest.fixture(autouse=True)
def search_state(db):
    """A clean index, fresh settings and no rate limit for each test."""
    _resync_touched()
    queries._settings.update(version=None, value=None)
    cache.delete(queries.POPULAR_KEY)
    with override_settings(GOVWEB_SEARCH_RATE_LIMIT=""):
        yield
    queries._settings.update(version=None, value=None)


@pytest.fixture
def publish_article(django_capture_on_commit_callbacks):
    """Publish a new article under a site's news column the way an editor does (a revision
    published), running the on-commit index task like the worker would."""
    from govweb.library.models import ArticlePage, ColumnPage

    def publish(site_key, title, text, column_kind="news"):
        home = Page.objects.get(depth=2, slug=site_key)
        column = ColumnPage.objects.child_of(home).filter(kind=column_kind).first()
        page = ArticlePage(title=title, body=[("paragraph", f"<p>{text}</p>")],
                           summary="", live=False)
        column.add_child(instance=page)
        with django_capture_on_commit_callbacks(execute=True):
            page.save_revision().publish()
        return ArticlePage.objects.get(pk=page.pk)

    return publish


def search(client, host, **params):
    response = client.get("/search/api/", params, HTTP_HOST=host)
    assert response.status_code == 200, response.content[:500]
    return response.json()
