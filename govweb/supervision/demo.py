"""Demo supervision data: the problems daily reading of the web must find, last year's annual
reports, and a counterfeit-site report. Deterministic; dates relative to `now`.

Seeded here (the other two acceptance problems come from other apps' demo data: 南明区's late
reprint and 高新区's missing one from reprint/demo.py, 市教育局's overdue error report from
interaction/demo.py):
  * 观山湖区: a news column "社区动态" last updated 20 days ago (news window 14 days) — stale;
  * 云岩区: a column "统计数据" with nothing in it — empty;
  * 市发展改革委: a news item whose body links to an article that no longer exists — broken link.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.html import escape

from govweb.library.models import ArticlePage, ColumnKind, ColumnPage

from .actions import (
    do_fill_annual_report,
    do_publish_annual_report,
    do_report_counterfeit,
    do_sign_annual_report,
)

STALE_SITE, EMPTY_SITE, BROKEN_LINK_SITE = "guanshanhu", "yunyan", "fgw"
BROKEN_PATH = "/gzdt/2019-nian-jiage-jiancha-tongzhi/"
STALE_ITEMS = [
    (20, "金华园街道开展冬季消防安全入户宣传", ["近日，金华园街道组织社区网格员、志愿者深入辖区老旧小区，开展冬季消防安全入户宣传。",
                                      "宣传人员向居民发放《家庭防火安全手册》，讲解电动自行车充电、燃气使用等安全常识。"]),
    (36, "世纪城社区举办邻里文化节", ["世纪城社区举办第三届邻里文化节，辖区居民带来歌舞、书法、手工等展示。",
                            "活动旨在增进邻里交流，营造和谐共建的社区氛围。"]),
]


def _at(now, days_ago, hour=10, minute=0):
    day = (now - timedelta(days=days_ago)).date()
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def _article(column, title, paragraphs, published, html=None):
    body = [("paragraph", html or "".join(f"<p>{escape(p)}</p>" for p in paragraphs))]
    return column.add_child(instance=ArticlePage(
        title=title, pub_date=published, source=column.get_parent().title, author="办公室",
        summary=paragraphs[0][:120], body=body, first_published_at=published, last_published_at=published))


def load(profiles, now):
    if STALE_SITE in profiles:
        home = profiles[STALE_SITE].site.root_page
        column = home.add_child(instance=ColumnPage(
            title="社区动态", slug="sqdt", kind=ColumnKind.NEWS, description="各街道、社区工作动态",
            keywords="社区,街道", show_in_menus=False, first_published_at=_at(now, 60),
            last_published_at=_at(now, 60)))
        for days_ago, title, paragraphs in STALE_ITEMS:
            _article(column, title, paragraphs, _at(now, days_ago))
    if EMPTY_SITE in profiles:
        home = profiles[EMPTY_SITE].site.root_page
        home.add_child(instance=ColumnPage(
            title="统计数据", slug="tjsj", kind=ColumnKind.DISCLOSURE, description="云岩区国民经济和社会发展统计数据",
            keywords="统计,数据", show_in_menus=True, show_on_home=False,
            first_published_at=_at(now, 30), last_published_at=_at(now, 30)))
    if BROKEN_LINK_SITE in profiles:
        home = profiles[BROKEN_LINK_SITE].site.root_page
        column = ColumnPage.objects.child_of(home).filter(kind=ColumnKind.NEWS).order_by("path").first()
        if column is not None:
            paragraphs = ["市发展改革委近日组织开展2026年度涉企收费专项检查，重点检查行政事业性收费、经营服务性收费执行情况。",
                          "检查参照往年做法开展。"]
            html = (f"<p>{escape(paragraphs[0])}</p><p>检查参照往年做法开展，详见"
                    f"<a href=\"{BROKEN_PATH}\">《关于开展2019年度价格收费检查的通知》</a>。</p>")
            _article(column, "市发展改革委开展涉企收费专项检查", paragraphs, _at(now, 3, 15, 20), html=html)

    # Last year's annual reports: filled from the platform, signed and published in January.
    year = timezone.localdate(now).year - 1
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.filter(username="admin").first()
    for profile in profiles.values():
        report = do_fill_annual_report(profile, year, now=now)
        report.manual = {"registered_users": 0, "concerns_responded": 2, "drills": True,
                         "new_media": f"“{profile.short_name}发布”微信公众号", "unit_head": "张志强",
                         "reviewer": "李红", "preparer": "王磊", "phone": profile.phone or "0851-87987000",
                         "fill_date": f"{year + 1}-01-20"}
        report.save(update_fields=["manual"])
        if admin is not None:
            signed_at = _at(now, 0).replace(year=year + 1, month=1, day=20) if now.month > 1 else now
            do_sign_annual_report(report, user=admin, now=signed_at)
            do_publish_annual_report(report, user=admin, now=signed_at + timedelta(days=2))

    do_report_counterfeit(url="http://www-guiyang-gov.cn.example-fake.com/",
                          description="该网站冒用贵阳市人民政府名义发布“补贴申领”信息，要求填写银行卡号。",
                          reporter_name="市民", imitated_site=profiles.get("portal"),
                          now=now - timedelta(days=6))
