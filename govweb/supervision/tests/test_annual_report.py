"""Annual report: filled from platform data, matching direct counts; XLSX, PDF, sign-off, pages."""

import datetime as dt
import io
import os
import shutil
import subprocess

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from conftest import host_of
from govweb.cluster.models import SiteProfile
from govweb.supervision import annual
from govweb.supervision.actions import (
    do_fill_annual_report,
    do_publish_annual_report,
    do_remind_annual_reports,
    do_sign_annual_report,
    do_update_annual_report,
)
from govweb.supervision.models import Alert, AnnualReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    site = SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")
    AnnualReport.objects.filter(site=site, year=timezone.localdate().year).delete()
    return do_fill_annual_report(site, timezone.localdate().year)


def test_report_matches_counts_computed_directly(report):
    from govweb.interaction.models import ErrorReport, Message
    from govweb.library.models import ColumnPage, InterpretationPage, LibraryItemPage
    from govweb.services.models import OnlineDepth, ServiceItem

    site, year = report.site, report.year
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    root = site.site.root_page
    items = LibraryItemPage.objects.descendant_of(root).live().filter(pub_date__gte=start, pub_date__lt=end)
    assert report.data["items_total"] == items.count() > 0
    per_column = dict(items.order_by().values_list("column_id").annotate(n=Count("pk")))
    titles = {c.pk: c.title for c in ColumnPage.objects.descendant_of(root)}
    assert {r["column"]: r["items"] for r in report.columns if r["items"]} == {
        titles[pk]: n for pk, n in per_column.items()}
    news = ColumnPage.objects.descendant_of(root).filter(kind="news")
    assert report.data["news_items"] == items.filter(column_id__in=news).count()
    assert report.data["interpretations"] == InterpretationPage.objects.descendant_of(root).live().filter(
        pub_date__gte=start, pub_date__lt=end).count()
    messages = Message.objects.filter(unit=site, received_at__gte=start, received_at__lt=end)
    assert report.data["messages_received"] == messages.count() > 0
    assert report.data["error_reports_received"] == ErrorReport.objects.filter(
        site=site, received_at__gte=start, received_at__lt=end).count() == 1
    assert report.data["service_items"] == ServiceItem.objects.filter(department=site, live=True).count()
    assert report.data["service_fully_online"] == ServiceItem.objects.filter(
        department=site, live=True, online_depth=OnlineDepth.FULL).count()
    assert report.data["site_name"] == "贵阳市教育局" and report.data["id_code"] == site.id_code
    assert "unique_visitors" in report.data and report.data["page_views"] >= report.data["unique_visitors"]


def test_xlsx_has_the_national_labels(report):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(annual.to_xlsx(report)))
    sheet = book["年度报表"]
    labels = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert sheet["A1"].value == f"政府网站工作年度报表（{report.year}年度）"
    for label in ("政府网站标识码", "独立用户访问总量（单位：个）", "信息发布总数（单位：条）",
                  "留言办理·收到留言数量（单位：条）", "可全程在线办理政务服务事项数量（单位：项）", "单位负责人"):
        assert label in labels
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert values["信息发布总数（单位：条）"] == str(report.data["items_total"])
    assert book["栏目信息发布"]["A1"].value == "栏目名称"


def test_pdf_renders_with_chinese_text(report, tmp_path):
    pdf = annual.to_pdf(report)
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext missing (apt-get install poppler-utils)")
        pytest.skip("pdftotext missing")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "政府网站工作年度报表" in text and "贵阳市教育局" in text and "信息发布总数" in text


def test_sign_off_needs_the_sign_fields_then_publishes_on_the_site(client, report):
    admin = get_user_model().objects.get(username="admin")
    with pytest.raises(ValidationError, match="单位负责人"):
        do_sign_annual_report(report, user=admin)
    do_update_annual_report(report, manual={"unit_head": "周明", "reviewer": "吴芳", "preparer": "陈杰",
                                            "phone": "0851-1", "fill_date": "2027-01-20", "new_media": "“贵阳教育”微信"},
                            user=admin)
    do_sign_annual_report(report, user=admin)
    url = f"/jianguan/ndbb/{report.pk}/"
    assert client.get(url, HTTP_HOST=host_of("jyj")).status_code == 404
    do_publish_annual_report(report, user=admin)
    page = client.get(url, HTTP_HOST=host_of("jyj"))
    assert page.status_code == 200 and "“贵阳教育”微信" in page.content.decode()
    assert client.get(url, HTTP_HOST=host_of("portal")).status_code == 200   # the portal collects
    assert client.get(url, HTTP_HOST=host_of("yunyan")).status_code == 404   # not another site's
    listing = client.get("/jianguan/ndbb/", HTTP_HOST=host_of("portal")).content.decode()
    assert "贵阳市教育局" in listing and "云岩区人民政府" in listing            # every site's, from the demo
    xlsx = client.get(url + "xlsx/", HTTP_HOST=host_of("jyj"))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    home = client.get("/", HTTP_HOST=host_of("jyj")).content.decode()
    assert 'href="/jianguan/ndbb/"' in home  # linked from the site's home page


@pytest.mark.parametrize("day, reminded", [(dt.date(2027, 1, 10), True), (dt.date(2027, 2, 1), False),
                                           (dt.date(2026, 12, 31), False)])
def test_january_reminder(day, reminded):
    now = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    count = do_remind_annual_reports(now=now)
    assert (count > 0) is reminded
    assert Alert.objects.filter(kind="annual", user__username="yunyan_editor").exists() is reminded
    if reminded:
        assert AnnualReport.objects.filter(year=2026, site__domain="www.yunyan.gov.cn").exists()
