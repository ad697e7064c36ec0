"""Exchange with the provincial hall: round trip, idempotent imports, bad records, diffs, API."""

import base64
import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from wagtail.documents import get_document_model

from conftest import host_of
from govweb.services import actions, exchange, queries
from govweb.services.models import ImportRun, ServiceItem, ServiceMaterial, ServiceTopic

pytestmark = pytest.mark.django_db


def export_document(attachments="embed"):
    buffer = io.StringIO()
    exchange.write_export(buffer, attachments=attachments)
    data = json.loads(buffer.getvalue())
    data.pop("exported_at")
    return data


def snapshot():
    return sorted(ServiceItem.objects.values_list("code", "updated_at", "version", "live"))


def a_record(code="11520100009425742J208801000000", **changes):
    record = {
        "code": code, "name": "中小学教师资格定期注册", "kind": "20", "department": "贵阳市教育局",
        "audience": "individual", "topics": [{"kind": "theme", "name": "教育"}],
        "legal_basis": "《中小学教师资格定期注册暂行办法》。", "conditions": "持有教师资格证书的在职教师。",
        "place": "贵阳市政务服务中心教育窗口", "hours": "周一至周五 9:00—17:00", "phone": "0851-87987316",
        "promised_limit_days": 10, "statutory_limit_days": 20, "version": 3, "published": True,
        "materials": [{"name": "定期注册申请表", "copies": 1}], "steps": [{"name": "受理"}, {"name": "审核"}],
        "applications": [{"month": "2025-01", "total": 12, "natural_persons": 12, "legal_persons": 0}],
    }
    record.update(changes)
    return record


def test_export_then_import_into_an_empty_catalogue_reproduces_it_exactly():
    before = export_document()
    assert len(before["items"]) >= 40
    # Empty the catalogue, its topics and its documents (with their files).
    Document = get_document_model()
    doc_ids = set()
    for slot in exchange.ATTACHMENT_SLOTS:
        doc_ids |= set(ServiceMaterial.objects.exclude(**{f"{slot}": None}).values_list(slot, flat=True))
    ServiceItem.objects.all().delete()
    ServiceTopic.objects.all().delete()
    for document in Document.objects.filter(pk__in=doc_ids):
        document.file.delete(save=False)
        document.delete()
    assert not ServiceItem.objects.exists()

    report = actions.do_import_catalogue(copy.deepcopy(before["items"]), source="round trip")
    assert report.failed == 0, report.entries[:3]
    assert report.created == len(before["items"])
    after = export_document()
    for old, new in zip(before["items"], after["items"], strict=True):
        assert new == old, {k: (old.get(k), new.get(k)) for k in old if old.get(k) != new.get(k)}
    assert after == before


def test_importing_the_same_file_twice_changes_nothing():
    records = [a_record(), a_record(code="11520100009425742J208802000000", name="教师资格证书补发")]
    first = actions.do_import_catalogue(copy.deepcopy(records))
    assert (first.created, first.failed) == (2, 0)
    state = snapshot()
    documents = get_document_model().objects.count()
    second = actions.do_import_catalogue(copy.deepcopy(records))
    assert (second.created, second.updated, second.unchanged, second.failed) == (0, 0, 2, 0)
    assert snapshot() == state
    assert get_document_model().objects.count() == documents
    # A whole exported catalogue re-imported onto itself: all unchanged.
    again = actions.do_import_catalogue(export_document()["items"])
    assert again.unchanged == again.total and again.total >= 40


def test_attachments_are_imported_once():
    pdf = b"%PDF-1.4\n% sample\n"
    attachment = {"title": "注册申请表", "filename": "zhuce.pdf", "content_base64": base64.b64encode(pdf).decode()}
    record = a_record(materials=[{"name": "定期注册申请表", "blank_form": attachment}])
    Document = get_document_model()
    count = Document.objects.count()
    actions.do_import_catalogue([copy.deepcopy(record)])
    actions.do_import_catalogue([copy.deepcopy(record)])
    assert Document.objects.count() == count + 1
    material = ServiceItem.objects.get(code=record["code"]).materials.get()
    with material.blank_form.file.open("rb") as handle:
        assert handle.read() == pdf


def test_diff_report_shows_what_changed():
    actions.do_import_catalogue([a_record()])
    report = actions.do_import_catalogue([a_record(phone="0851-87980001", version=4)])
    assert report.updated == 1
    changes = report.entries[0]["changes"]
    assert changes["phone"] == ["0851-87987316", "0851-87980001"]
    assert changes["version"] == ["3", "4"]
    item = ServiceItem.objects.get(code=a_record()["code"])
    assert item.phone == "0851-87980001" and item.version == 4
    assert ImportRun.objects.first().report["entries"][0]["status"] == "updated"


@override_settings(SERVICES_MAX_ATTACHMENT_BYTES=100)
def test_bad_records_are_reported_one_by_one_and_nothing_is_half_saved():
    big = {"filename": "big.pdf", "content_base64": base64.b64encode(b"x" * 500).decode()}
    records = [
        a_record(code="11520100009425742J207701000000"),                       # good
        {"code": "11520100009425742J207702000000", "kind": "20"},            # missing fields
        a_record(code="11520100009425742J207703000000", department="不存在的局"),
        a_record(code="11520100009425742J207704000000"),                       # duplicate …
        a_record(code="11520100009425742J207704000000", name="重复"),          # … of this one
        a_record(code="11520100009425742J207705000000", promised_limit_days="十天", copies=None),
        a_record(code="11520100009425742J207706000000",
                 materials=[{"name": "大附件", "blank_form": big}]),
        "not an object",
        a_record(code="bad code"),
    ]
    report = actions.do_import_catalogue(records)
    assert report.created == 1 and report.failed == 8
    errors = {entry["index"]: entry.get("errors", []) for entry in report.entries}
    fields = {index: {e["field"] for e in errs} for index, errs in errors.items()}
    assert {"name", "department", "audience"} <= fields[1]
    assert "department" in fields[2] and "未知的单位" in errors[2][0]["reason"]
    assert fields[3] == {"code"} and fields[4] == {"code"}
    assert "重复" in errors[3][0]["reason"]
    assert "promised_limit_days" in fields[5] and "应为整数" in errors[5][0]["reason"]
    assert "materials[0].blank_form.content_base64" in fields[6]
    assert "超过大小上限" in errors[6][0]["reason"]
    assert errors[7][0]["reason"] == "记录应为 JSON 对象"
    assert "code" in fields[8]
    stored = set(ServiceItem.objects.filter(code__startswith="11520100009425742J2077").values_list("code", flat=True))
    assert stored == {"11520100009425742J207701000000"}


def test_incomplete_published_record_is_kept_as_draft():
    report = actions.do_import_catalogue([a_record(phone="", place="")])
    assert report.created == 1 and "未发布" in report.entries[0]["warnings"][0]
    item = ServiceItem.objects.get(code=a_record()["code"])
    assert not item.live and item.missing_elements == ["place", "phone"]
    # Re-importing the same record is still "unchanged".
    assert actions.do_import_catalogue([a_record(phone="", place="")]).unchanged == 1


def test_consistency_check_flags_guides_older_than_the_hall():
    item = ServiceItem.objects.get(name="教师资格认定")
    record = exchange.serialize_item(exchange.catalogue_queryset().get(pk=item.pk), "compare")
    for material in record["materials"]:
        for slot in exchange.ATTACHMENT_SLOTS:
            material[slot] = None
    record.update(version=item.version + 1, phone="0851-87989999")
    report = actions.do_import_catalogue([record], check_only=True)
    assert report.entries[0]["changes"]["phone"][1] == "0851-87989999"
    item.refresh_from_db()
    assert item.phone != "0851-87989999"  # check only: nothing applied
    assert item in queries.consistency_check()

    # A hall version missing key elements never replaces a live guide.
    record.update(place="")
    report = actions.do_import_catalogue([record])
    assert report.failed == 1
    item.refresh_from_db()
    assert item.live and item.place and item in queries.consistency_check()


def test_cli_export_and_import(tmp_path):
    path = tmp_path / "catalogue.json"
    call_command("services_export", str(path), "--attachments", "reference", stdout=io.StringIO())
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == exchange.FORMAT_NAME and len(data["items"]) >= 40
    data["items"] = [a_record()] + [{"code": "X"}]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("services_import", str(path), stdout=out)
    text = out.getvalue()
    assert "新增 1" in text and "失败 1" in text and "code" in text


def test_a_file_is_imported_record_by_record_with_the_same_rules(tmp_path, monkeypatch):
    """The CLI reads the file a chunk at a time: records cut across chunks arrive whole, and the
    duplicate check still sees the whole file."""
    from govweb.services import exchange_file

    monkeypatch.setattr(exchange_file, "CHUNK", 100)  # every record spans several chunks
    records = [a_record(), a_record(code="11520100009425742J208802000000", name="教师资格证书补发"),
               a_record(code="11520100009425742J208803000000"),
               a_record(code="11520100009425742J208803000000", name="重复")]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps({"items": records, "format": exchange.FORMAT_NAME, "version": 1},
                               ensure_ascii=False, indent=1), encoding="utf-8")
    with open(path, "rb") as handle:
        catalogue = exchange_file.CatalogueFile.open(handle)
        assert list(catalogue) == records and len(catalogue) == 4
        report = actions.do_import_catalogue(catalogue)
    assert (report.created, report.failed) == (2, 2)
    assert [entry["status"] for entry in report.entries] == ["created", "created", "failed", "failed"]
    assert ServiceItem.objects.get(code=records[1]["code"]).name == "教师资格证书补发"


def test_cli_refuses_a_file_that_is_not_a_catalogue(tmp_path):
    count = ServiceItem.objects.count()
    broken = json.dumps({"format": exchange.FORMAT_NAME, "items": [a_record()]})[:-40]
    for name, text in (("broken.json", broken),
                       ("other.json", json.dumps({"items": [a_record()]})),
                       ("trailing.json", json.dumps({"format": exchange.FORMAT_NAME, "items": []}) + "x")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CommandError):
            call_command("services_import", str(path), "--no-progress", stdout=io.StringIO())
    assert ServiceItem.objects.count() == count


def test_api_needs_a_token_and_import_rights(client):
    host = host_of("portal")
    url = "/banshi/api/v1/catalogue.json"
    assert client.get(url, HTTP_HOST=host).status_code == 401
    reader = actions.do_create_exchange_token("省网上办事大厅（只读）")
    writer = actions.do_create_exchange_token("省网上办事大厅", can_import=True)
    response = client.get(url, HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert response.status_code == 200 and len(json.loads(response.content)["items"]) >= 40
    body = json.dumps({"format": exchange.FORMAT_NAME, "version": 1, "items": [a_record()]})
    assert client.post(url, body, content_type="application/json", HTTP_HOST=host,
                       HTTP_AUTHORIZATION=f"Bearer {reader}").status_code == 403
    response = client.post(url, body, content_type="application/json", HTTP_HOST=host,
                           HTTP_AUTHORIZATION=f"Bearer {writer}")
    assert response.status_code == 200 and response.json()["created"] == 1
    assert client.post(url, "{", content_type="application/json", HTTP_HOST=host,
                       HTTP_AUTHORIZATION=f"Bearer {writer}").status_code == 400
    not_ours = client.post(url, json.dumps({"items": [a_record()]}), content_type="application/json",
                           HTTP_HOST=host, HTTP_AUTHORIZATION=f"Bearer {writer}")
    assert not_ours.status_code == 400 and "items" in not_ours.json()["error"]
    schema = client.get("/banshi/api/v1/schema.json", HTTP_HOST=host).json()
    assert "code" in schema["properties"]["items"]["items"]["required"]
