"""The index follows publishing: publish → findable, unpublish/delete → gone; full rebuild."""

import time

import pytest
from django.core.management import call_command

from conftest import host_of
from govweb.search import documents, jobs, tasks
from govweb.search.engines import get_engine
from govweb.search.models import SearchLog

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


@pytest.fixture
def queued(monkeypatch):
    """Index tasks queued by the signal handlers, in order (they still run, as the worker
    would run them)."""
    calls = []

    class Recorder:
        def __init__(self, name, task):
            self.name, self.task = name, task

        def enqueue(self, *args):
            calls.append((self.name, args))
            return self.task.enqueue(*args)

    for name in ("index_page", "index_subtree", "remove_from_index", "index_item"):
        monkeypatch.setattr(tasks, name, Recorder(name, getattr(tasks, name)))
    return calls


def test_saving_what_search_does_not_index_queues_nothing(
        queued, django_capture_on_commit_callbacks):
    from govweb.interaction.models import Message

    message = Message.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        message.title += "（补充）"
        message.save()
        log = SearchLog.objects.create(query="公积金", scope="cluster", sort="relevance",
                                       page=1, result_count=3, visitor="0" * 16)
        log.delete()
    assert queued == []


def test_publishing_a_renamed_page_queues_one_task_and_reindexes_it(
        publish_article, queued, django_capture_on_commit_callbacks):
    page = publish_article("yunyan", "云岩区开通电梯维保热线", "电梯维保热线开通。")
    assert queued == [("index_page", (page.pk,))]
    queued.clear()
    page.title, page.slug = "云岩区开通电梯维保服务热线", "dianti-weibao-rexian"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert queued == [("index_subtree", (page.pk,))]
    hit = get_engine().get(f"page:{page.pk}")
    assert hit.title == "云岩区开通电梯维保服务热线"
    assert hit.url.endswith("/dianti-weibao-rexian/")


def test_deleting_a_page_queues_one_removal(
        publish_article, queued, django_capture_on_commit_callbacks):
    page = publish_article("nanming", "南明区公布夜市摊位申请结果", "夜市摊位申请结果公布。")
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert queued == [("remove_from_index", ([f"page:{page.pk}"],))]
    assert get_engine().get(f"page:{page.pk}") is None


def test_index_work_of_a_rolled_back_transaction_is_dropped(
        publish_article, queued, django_capture_on_commit_callbacks):
    from django.db import transaction

    page = publish_article("gaoxin", "高新区发布人才公寓申请指南", "人才公寓申请指南发布。")
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                page.slug = "rencai-gongyu"
                page.save_revision().publish()
                raise RuntimeError("editor's save failed")
        except RuntimeError:
            pass
        page.refresh_from_db()
        page.save_revision().publish()
    assert queued == [("index_page", (page.pk,))]


def test_bulk_imported_items_are_findable(client, django_capture_on_commit_callbacks):
    import json

    from django.utils import timezone

    from govweb.library.importing import import_text

    lines = [json.dumps({
        "external_id": f"SEARCH-IMPORT-{n}", "site": "jyj.guiyang.gov.cn", "column": "tzgg",
        "title": f"贵阳市教育局关于第{n}批研学旅行基地遴选的通知", "pub_date": "2026-10-01 09:30",
        "source": "贵阳市教育局", "body": "<p>开展研学旅行基地遴选。</p>"}, ensure_ascii=False)
        for n in (1, 2, 3)]
    with django_capture_on_commit_callbacks(execute=True):
        result = import_text("\n".join(lines), "jsonl",
                             now=timezone.make_aware(timezone.datetime(2026, 11, 24, 12, 0)))
    assert result.created == 3
    titles = [r["title"] for r in search(client, host_of("portal"), q="研学旅行基地")["results"]]
    assert sum("研学旅行基地遴选" in t for t in titles) == 3


def test_a_signed_off_reply_is_findable_masked_and_a_withheld_one_is_not(
        client, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    from govweb.cluster.models import SiteProfile
    from govweb.interaction import actions as desk
    from govweb.interaction.models import MessageKind

    users = get_user_model().objects
    jyj = SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")
    found, pks = {}, {}
    for consent in (True, False):
        message, _ = desk.do_submit_message(
            site=jyj, unit=jyj, kind=MessageKind.choices[0][0], title="校车接送路线咨询",
            content="我是张三，电话13812345678，想问乌当区校车路线。", name="张三",
            phone="13812345678", may_publish=consent, token=f"search-reply-{consent}")
        admin = users.get(username="admin")
        desk.do_accept_message(message, admin)
        desk.do_submit_reply(message, users.get(username="jyj_editor"),
                             text="经核实，乌当区校车将于下学期增设新添寨站点。")
        with django_capture_on_commit_callbacks(execute=True):
            desk.do_sign_off_reply(message, admin)
        found[consent] = get_engine().get(f"message:{message.pk}")
        pks[consent] = message.pk
    assert found[False] is None
    doc = found[True]
    assert doc is not None and doc.type == "message" and doc.site == "jyj"
    results = search(client, host_of("portal"), q="校车 新添寨")["results"]
    assert f"message:{pks[True]}" in [r["key"] for r in results]
    assert f"message:{pks[False]}" not in [r["key"] for r in results]
    from govweb.interaction.search import get_document

    indexed = get_document(pks[True])
    # Indexed as the public message page shows it: the phone number masked.
    assert "13812345678" not in indexed.text and "138****5678" in indexed.text
    assert "新添寨" in indexed.text
