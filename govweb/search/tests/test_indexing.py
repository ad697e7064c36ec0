"""The index follows publishing: publish → findable, unpublish/delete → gone; full rebuild."""

import time

from django.core.management import call_command

from conftest import host_of
from govweb.search import documents, jobs
from govweb.search.engines import get_engine

from .conftest import search


def test_published_item_is_findable_within_5_seconds_and_unpublishing_removes_it(
        client, publish_article, django_capture_on_commit_callbacks):
    started = time.monotonic()
    page = publish_article("yunyan", "云岩区试点推行电梯加装贴息补助", "对老旧小区加装电梯给予贴息补助。")
    data = search(client, host_of("portal"), q="电梯加装")
    assert f"page:{page.pk}" in [r["key"] for r in data["results"]]
    assert time.monotonic() - started < 5
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    data = search(client, host_of("portal"), q="电梯加装")
    assert f"page:{page.pk}" not in [r["key"] for r in data["results"]]


def test_deleting_a_page_removes_it(client, publish_article, django_capture_on_commit_callbacks):
    page = publish_article("gaoxin", "高新区发布算力券申领指南", "企业可申领算力券。")
    assert get_engine().get(f"page:{page.pk}") is not None
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert get_engine().get(f"page:{page.pk}") is None


def test_document_carries_site_type_topic_and_year(publish_article):
    page = publish_article("rsj", "关于做好高校毕业生就业服务工作的通知", "做好就业服务。",
                           column_kind="notice")
    hit = get_engine().get(f"page:{page.pk}")
    assert (hit.site, hit.type, hit.topic) == ("rsj", "notice", "劳动、人事、监察")
    assert hit.url.startswith("http://rsj-guiyang.localhost:8000/")


def test_home_and_column_pages_are_not_indexed():
    keys = get_engine().keys()
    from wagtail.models import Page

    home = Page.objects.get(depth=2, slug="portal")
    assert f"page:{home.pk}" not in keys
    assert all(k.startswith(("page:",)) or ":" in k for k in keys)


def test_rebuild_command_matches_the_database(capsys):
    engine = get_engine()
    before = engine.count()
    call_command("search_reindex", verbosity=1)
    assert engine.count() == before == sum(1 for _ in documents.iter_all_documents())
    assert "已索引" in capsys.readouterr().out
    assert jobs.index_drift(engine) == ([], [])
