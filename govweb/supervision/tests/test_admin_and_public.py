"""Admin views (site editors see only their site) and the public counterfeit-site report form."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from govweb.cluster.models import SiteProfile
from govweb.supervision.models import CounterfeitSite, Finding

from .conftest import T

pytestmark = pytest.mark.django_db
ADMIN_HOST = "127.0.0.1:8001"


def _finding(site, summary):
    return Finding.objects.create(site=site, rule="empty_columns", severity="problem", key=summary,
                                  summary=summary, first_seen_at=T, last_seen_at=T)


def test_editor_sees_only_their_site(client, admin_role):
    yunyan = SiteProfile.objects.get(domain="www.yunyan.gov.cn")
    nanming = SiteProfile.objects.get(domain="www.nanming.gov.cn")
    _finding(yunyan, "栏目“统计数据”没有任何内容"), _finding(nanming, "南明区的问题")
    client.force_login(get_user_model().objects.get(username="yunyan_editor"))
    response = client.get("/admin/supervision/", HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302 and response["Location"].endswith(f"/sites/{yunyan.pk}/")
    own = client.get(f"/admin/supervision/sites/{yunyan.pk}/", HTTP_HOST=ADMIN_HOST)
    assert own.status_code == 200 and "统计数据" in own.content.decode()
    assert client.get(f"/admin/supervision/sites/{nanming.pk}/", HTTP_HOST=ADMIN_HOST).status_code == 404
    assert client.get("/admin/supervision/spot/", HTTP_HOST=ADMIN_HOST).status_code in (302, 403)


def test_general_office_sees_the_cluster(client, admin_role):
    _finding(SiteProfile.objects.get(domain="www.nanming.gov.cn"), "南明区的问题")
    client.force_login(get_user_model().objects.get(username="admin"))
    page = client.get("/admin/supervision/", HTTP_HOST=ADMIN_HOST).content.decode()
    assert "南明区人民政府" in page and "贵阳市教育局" in page  # every site, with its counts
    assert client.get("/admin/supervision/spot/", HTTP_HOST=ADMIN_HOST).status_code == 200


def test_scoring_form_names_the_field_in_chinese(client, admin_role):
    from govweb.supervision.actions import do_draw_spot_check
    from govweb.supervision.models import SpotCheckIndicator

    admin = get_user_model().objects.get(username="admin")
    spot = do_draw_spot_check(year=2024, quarter=1, user=admin, now=T, crawl=False)
    result = spot.results.first()
    client.force_login(admin)
    links = SpotCheckIndicator.objects.get(code="links")
    data = {f"points_{i.pk}": i.points for i in SpotCheckIndicator.objects.filter(is_veto=False)}
    data[f"points_{links.pk}"] = 12
    response = client.post(f"/admin/supervision/spot/result/{result.pk}/score/", data, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200 and "“链接可用性”得分不能超过10分" in response.content.decode()


def test_counterfeit_report_form(site_host):
    client = Client(enforce_csrf_checks=True)
    host = site_host("yunyan")
    page = client.get("/jianguan/fangmao/", HTTP_HOST=host)
    assert page.status_code == 200 and "仿冒政府网站举报" in page.content.decode()
    token = page.cookies["csrftoken"].value
    assert client.post("/jianguan/fangmao/", {"url": "http://fake.example.com/"}, HTTP_HOST=host).status_code == 403
    bad = client.post("/jianguan/fangmao/", {"url": "not a url", "description": "短", "csrfmiddlewaretoken": token},
                      HTTP_HOST=host)
    text = bad.content.decode()
    assert bad.status_code == 200 and "仿冒网站地址格式不正确" in text and "情况描述至少10个字" in text
    good = client.post("/jianguan/fangmao/", {
        "url": "http://www-yunyan-gov.example.com/", "description": "该网站冒用云岩区人民政府名义收取补贴申请费用。",
        "reporter_contact": "13800000000", "csrfmiddlewaretoken": token}, HTTP_HOST=host)
    assert good.status_code == 302
    entry = CounterfeitSite.objects.get(url="http://www-yunyan-gov.example.com/")
    assert entry.imitated_site.domain == "www.yunyan.gov.cn" and entry.status == "received"
    listing = client.get("/jianguan/fangmao/", HTTP_HOST=host).content.decode()
    assert "13800000000" not in listing  # reporters' data never shown


def test_periodic_jobs_registered_and_daily_due_from_six():
    import datetime as dt

    from django.utils import timezone

    from govweb.base.scheduler import PERIODIC_JOBS
    from govweb.supervision.jobs import daily_due

    assert {"supervision_daily", "supervision_probe"} <= {job.name for job in PERIODIC_JOBS}
    day = dt.date(2026, 6, 17)
    at = lambda h, m: timezone.make_aware(dt.datetime.combine(day, dt.time(h, m)))  # noqa: E731
    assert not daily_due(at(5, 59)) and daily_due(at(6, 0)) and daily_due(at(6, 1))
