"""On the demo cluster, the daily run finds the deliberately seeded problems and nothing else."""

import pytest
from django.core import mail
from django.utils import timezone

from govweb.cluster.models import SiteProfile
from govweb.supervision.actions import do_run_checks
from govweb.supervision.crawler import LinkResult
from govweb.supervision.models import Alert, Finding

pytestmark = pytest.mark.django_db

EXPECTED = {
    ("www.yunyan.gov.cn", "empty_columns", "problem"),        # 统计数据 (supervision demo)
    ("www.guanshanhu.gov.cn", "column_update", "problem"),    # 社区动态 (supervision demo)
    ("fgw.guiyang.gov.cn", "broken_links", "problem"),        # link to a removed article (supervision demo)
    ("www.nanming.gov.cn", "reprint", "problem"),             # late reprint (reprint demo)
    ("www.gygaoxin.gov.cn", "reprint", "problem"),            # missing reprint (reprint demo)
    ("jyj.guiyang.gov.cn", "error_reports", "problem"),       # overdue error report (interaction demo)
}


def test_daily_run_finds_exactly_the_seeded_problems():
    external = []

    def fetch(url):  # no network in tests: every outside link answers
        external.append(url)
        return LinkResult(True, 200)

    now = timezone.now()
    run = do_run_checks(now=now, fetch=fetch)
    found = {(f.site.domain, f.rule, f.severity) for f in Finding.objects.filter(
        resolved_at__isnull=True).select_related("site")}
    assert found == EXPECTED, sorted(found)
    assert run.skipped_rules == {} and run.errors == []
    assert run.pages_checked > 300 and run.links_checked > 1000
    broken = Finding.objects.get(rule="broken_links")
    assert broken.summary.endswith("/gzdt/2019-nian-jiage-jiancha-tongzhi/")
    assert "2019年度价格收费检查" in broken.excerpt

    # Alerts: in the admin for the site's editors, by e-mail to editors and the security officer.
    yunyan = SiteProfile.objects.get(domain="www.yunyan.gov.cn")
    alert = Alert.objects.get(user__username="yunyan_editor")
    assert "统计数据" in alert.body and alert.site == yunyan
    assert not Alert.objects.filter(user__username="rsj_editor").exists()  # a clean site is not alerted
    digest = next(m for m in mail.outbox if "云岩区" in m.subject)
    assert "yunyan_editor@example.gov.cn" in digest.to and yunyan.email in digest.to

    # The next run no longer sees a fixed problem: the finding closes itself.
    from govweb.library.models import ArticlePage, ColumnPage

    column = ColumnPage.objects.get(slug="sqdt")
    column.add_child(instance=ArticlePage(title="社区开展便民服务活动", pub_date=now, body=[]))
    later = do_run_checks(now=now, rules=["column_update"], alert=False)
    assert later.resolved == 1
    assert not Finding.objects.filter(rule="column_update", resolved_at__isnull=True).exists()
