"""Reads: who sees which site's findings, the cluster dashboard, appraisal and yearly figures."""

from collections import Counter, defaultdict

from django.db.models import Count, Q

from govweb.cluster.models import SiteCategory, SiteProfile, SiteStatus
from govweb.cluster.queries import sites_for_user

from .models import (
    SEVERITY_ORDER,
    AnnualReport,
    CheckRun,
    CounterfeitSite,
    CounterfeitStatus,
    Finding,
    ReportStatus,
    SpotCheck,
    SpotCheckResult,
    SpotCheckStatus,
)
from .rules import RULE_LABELS


def visible_sites(user):
    """Cluster administrators see every site; an editor or reviewer only their own."""
    return sites_for_user(user).distinct().order_by("pk")


def open_findings(site):
    findings = list(Finding.objects.filter(site=site, resolved_at__isnull=True))
    findings.sort(key=lambda f: (-SEVERITY_ORDER[f.severity], f.rule, f.first_seen_at, f.pk))
    for finding in findings:
        finding.rule_label = RULE_LABELS.get(finding.rule, finding.rule)
    return findings


def recently_resolved(site, limit=20):
    return list(Finding.objects.filter(site=site, resolved_at__isnull=False).order_by("-resolved_at")[:limit])


def dashboard(sites):
    """Per site: open findings by severity and by rule — the general office's overview."""
    rows = (Finding.objects.filter(site__in=sites, resolved_at__isnull=True)
            .values("site_id", "severity").annotate(n=Count("pk")))
    per_site = defaultdict(Counter)
    for row in rows:
        per_site[row["site_id"]][row["severity"]] += row["n"]
    by_rule = Counter(dict(Finding.objects.filter(site__in=sites, resolved_at__isnull=True)
                           .values_list("rule").annotate(n=Count("pk")).values_list("rule", "n")))
    result = []
    for site in sites:
        counts = per_site.get(site.pk, Counter())
        result.append({"site": site, "veto": counts["veto"], "problem": counts["problem"],
                       "warning": counts["warning"], "total": sum(counts.values())})
    rules = [(RULE_LABELS.get(code, code), n) for code, n in by_rule.most_common()]
    return result, rules


def last_run():
    return CheckRun.objects.filter(finished_at__isnull=False).first()


def appraisal_table(year):
    """年度考核: each unit's quarterly spot-check scores and their average (R13.1)."""
    results = (SpotCheckResult.objects.filter(spot_check__year=year)
               .exclude(spot_check__status=SpotCheckStatus.DRAWN).select_related("site", "spot_check"))
    table = {}
    for result in results:
        row = table.setdefault(result.site_id, {"site": result.site, "quarters": {}, "vetoes": 0})
        row["quarters"][result.spot_check.quarter] = result
        row["vetoes"] += result.vetoed
    for row in table.values():
        scores = [float(r.score) for r in row["quarters"].values() if not r.vetoed]
        row["average"] = round(sum(scores) / len(scores), 1) if scores else None
        row["cells"] = [row["quarters"].get(q) for q in (1, 2, 3, 4)]
    return sorted(table.values(), key=lambda r: r["site"].pk)


def published_spot_checks():
    return SpotCheck.objects.filter(status=SpotCheckStatus.PUBLISHED).order_by("-year", "-quarter")


def published_reports(site):
    """The annual reports a site's public page lists: the portal collects every site's."""
    reports = AnnualReport.objects.filter(status=ReportStatus.PUBLISHED).select_related("site")
    if site.category != SiteCategory.PORTAL:
        reports = reports.filter(site=site)
    return reports.order_by("-year", "site_id")


def supervision_report(year):
    """年度监管报告: spot checks, security checks, sites, error reports, counterfeit sites."""
    from .annual import year_bounds

    start, end = year_bounds(year)
    checks = SpotCheck.objects.filter(year=year)
    results = SpotCheckResult.objects.filter(spot_check__in=checks)
    runs = CheckRun.objects.filter(started_at__gte=start, started_at__lt=end)
    data = {
        "spot_checks": checks.count(),
        "sites_checked": results.count(),
        "sites_failed": results.filter(Q(vetoed=True) | Q(passed=False)).count(),
        "security_checks": runs.count(),
        "problems_found": Finding.objects.filter(first_seen_at__gte=start, first_seen_at__lt=end).count(),
        "problems_fixed": Finding.objects.filter(resolved_at__gte=start, resolved_at__lt=end).count(),
        "sites_online": SiteProfile.objects.filter(status=SiteStatus.ONLINE).count(),
        "sites_closed": SiteProfile.objects.filter(status=SiteStatus.CLOSED).count(),
        "sites_merged": SiteProfile.objects.filter(status=SiteStatus.MERGED).count(),
        "counterfeit_reported": CounterfeitSite.objects.filter(received_at__gte=start, received_at__lt=end).count(),
        "counterfeit_handled": CounterfeitSite.objects.filter(
            received_at__gte=start, received_at__lt=end,
            status__in=[CounterfeitStatus.CONFIRMED, CounterfeitStatus.TAKEN_DOWN,
                        CounterfeitStatus.NOT_COUNTERFEIT]).count(),
    }
    try:
        from govweb.interaction.models import ErrorReport

        reports = ErrorReport.objects.filter(received_at__gte=start, received_at__lt=end)
        data["error_reports_received"] = reports.count()
        data["error_reports_answered"] = reports.filter(replied_at__isnull=False).count()
    except ImportError:
        data["error_reports_received"] = data["error_reports_answered"] = None
    return data


SUPERVISION_LABELS = [
    ("spot_checks", "开展抽查次数"), ("sites_checked", "抽查网站数（个次）"), ("sites_failed", "不合格网站数（个次）"),
    ("security_checks", "安全检测（读网）次数"), ("problems_found", "发现问题数"), ("problems_fixed", "整改问题数"),
    ("sites_online", "正常运行网站数"), ("sites_closed", "关停网站数"), ("sites_merged", "整合网站数"),
    ("error_reports_received", "收到网民纠错数"), ("error_reports_answered", "答复网民纠错数"),
    ("counterfeit_reported", "受理仿冒网站举报数"), ("counterfeit_handled", "处置仿冒网站数"),
]
