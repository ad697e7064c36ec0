"""Bottom-layer connection: importing outside sites' items (CLI and endpoint)."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks import default_task_backend

from govweb.cluster.models import SiteProfile
from govweb.library.actions import do_create_import_token
from govweb.library.importing import import_text
from govweb.library.models import (
    ArticlePage,
    ColumnPage,
    ExternalItem,
    LibraryItemPage,
    PolicyDocumentPage,
)

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(timezone.datetime(2026, 11, 24, 12, 0))


def record(n, **extra):
    base = {"external_id": f"JYJ-{n:05d}", "site": "jyj.guiyang.gov.cn", "column": "tzgg",
            "title": f"贵阳市教育局关于做好第{n}批中小学教师培训工作的通知",
            "pub_date": "2026-10-01 09:30", "source": "贵阳市教育局", "author": "市教育局教师工作处",
            "summary": "部署教师培训工作。", "body": f"<p>各区（市、县）教育局：现将第{n}批培训安排通知如下。</p>"}
    base.update(extra)
    return base


def policy_record(n, **extra):
    fields = dict(type="policy", column="zcwj", issuing_body="贵阳市教育局",
                  document_number=f"筑教发〔2026〕{n}号", written_on="2026-09-28", topic="1002",
                  genre="通知", audience="学生及家长")
    fields.update(extra)
    return record(n, **fields)


def write_jsonl(path, rows):
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n")


def test_cli_import_of_10000_lines_commits_good_ones_reports_bad_ones_and_is_idempotent(tmp_path):
    rows, bad_lines = [], set()
    for n in range(1, 10_001):
        if n % 100 == 0:  # 1% bad, each a different way
            bad_lines.add(n)
            rows.append([
                record(n, pub_date="2026/10/01"),
                record(n, title=""),
                "{not json",
                policy_record(n, document_number="筑教发2026-1号"),
                policy_record(n, written_on="2099-01-01"),
            ][(n // 100) % 5])
        elif n % 10 == 0:
            rows.append(policy_record(n))
        else:
            rows.append(record(n))
    path = tmp_path / "jyj.jsonl"
    write_jsonl(path, rows)
    before = LibraryItemPage.objects.count()
    out = io.StringIO()
    # Queued, not run: Wagtail's indexing of the new pages is the worker's job.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        call_command("import_items", str(path), stdout=out)
        queued = default_task_backend.results
    text = out.getvalue()
    assert "新增 9900，更新 0，未变 0，出错 100" in text
    assert "第100行" in text and "字段 pub_date" in text
    assert LibraryItemPage.objects.count() == before + 9900
    assert ExternalItem.objects.count() == 9900
    indexed = [pk for task in queued if task.task.name == "index_imported_pages" for pk in task.args[0]]
    assert sorted(indexed) == sorted(ExternalItem.objects.values_list("page_id", flat=True))
    column = ColumnPage.objects.get(url_path="/jyj/tzgg/")
    assert column.items().filter(title="贵阳市教育局关于做好第1批中小学教师培训工作的通知").exists()
    imported = PolicyDocumentPage.objects.get(pk=ExternalItem.objects.get(external_id="JYJ-00010").page_id)
    assert imported.index_number.startswith(SiteProfile.objects.get(domain="jyj.guiyang.gov.cn").org_code)
    assert len(set(PolicyDocumentPage.objects.values_list("index_number", flat=True))) == \
        PolicyDocumentPage.objects.filter(alias_of__isnull=True).count()
    # The tree stays consistent for Wagtail.
    assert column.get_children().count() == column.numchild
    out = io.StringIO()
    call_command("import_items", str(path), stdout=out)
    assert "新增 0，更新 0，未变 9900，出错 100" in out.getvalue()
    assert LibraryItemPage.objects.count() == before + 9900


def test_reimport_updates_the_page_instead_of_duplicating(client, site_host):
    first = import_text(json.dumps(record(1), ensure_ascii=False), "jsonl", now=NOW)
    assert first.created == 1
    changed = record(1, title="贵阳市教育局关于做好中小学教师培训工作的通知（更正）")
    second = import_text(json.dumps(changed, ensure_ascii=False), "jsonl", now=NOW)
    assert (second.created, second.updated) == (0, 1)
    page = ArticlePage.objects.get(pk=ExternalItem.objects.get(external_id="JYJ-00001").page_id)
    assert page.title.endswith("（更正）")
    response = client.get(page.url_path.replace("/jyj/", "/"), HTTP_HOST=site_host("jyj"))
    assert response.status_code == 200 and "（更正）" in response.content.decode()


def test_csv_import_and_error_details():
    text = ("external_id,site,column,title,pub_date,type,issuing_body,written_on,topic,genre\n"
            "C1,jyj.guiyang.gov.cn,tzgg,关于开展校园安全检查的通知,2026-10-02 10:00,,,,,\n"
            "C2,jyj.guiyang.gov.cn,nosuch,关于开展校园安全检查的通知,2026-10-02 10:00,,,,,\n"
            "C3,jyj.guiyang.gov.cn,zcwj,校园安全管理办法,2026-10-02 10:00,policy,贵阳市教育局,2026-10-01,,办法\n")
    result = import_text(text, "csv", now=NOW)
    assert result.created == 1
    assert [(e.line, e.field) for e in result.errors] == [(3, "column"), (4, "topic")]


def test_import_endpoint_requires_a_token_and_stays_in_its_site(client, admin_role):
    url = "/api/library/import/"
    body = json.dumps(record(7), ensure_ascii=False)
    host = "127.0.0.1:8001"
    assert client.post(url, body, content_type="application/x-ndjson", HTTP_HOST=host).status_code == 401
    token = do_create_import_token(SiteProfile.objects.get(domain="jyj.guiyang.gov.cn"), "市教育局站群")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": host}
    response = client.post(url, body, content_type="application/x-ndjson", **auth)
    assert response.status_code == 200 and response.json()["created"] == 1
    foreign = json.dumps(record(8, site="www.yunyan.gov.cn", column="tzgg"), ensure_ascii=False)
    response = client.post(url, foreign, content_type="application/x-ndjson", **auth)
    assert response.json()["failed"] == 1 and response.json()["errors"][0]["field"] == "site"
