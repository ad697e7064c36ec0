"""Writes of the supervision app (`do_<verb>_<noun>`), each atomic where it must be."""

import logging
import math
import random
import secrets
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from govweb.cluster.models import SiteProfile, SiteStatus

from .conf import rule_conf
from .models import (
    SEVERITY_ORDER,
    Alert,
    AnnualReport,
    CheckRun,
    CounterfeitSite,
    CounterfeitStatus,
    Finding,
    ReachabilitySample,
    ReportStatus,
    RunKind,
    Severity,
    SpotCheck,
    SpotCheckIndicator,
    SpotCheckResult,
    SpotCheckScore,
    SpotCheckStatus,
    SupervisionReport,
    finding_key_hash,
)
from .rules import Context, rules_by_code

logger = logging.getLogger("govweb.supervision")


# --- daily reading of the web -----------------------------------------------------------------

def do_run_checks(*, sites=None, rules=None, now=None, kind=RunKind.DAILY, crawl=True, fetch=None,
                  alert=True):
    """Run the rules over the sites (default: every online site), record and reconcile findings.

    A finding seen again keeps its first-seen time (its severity may change); one no longer
    seen by a rule that ran closes itself. `fetch` replaces the HTTP link checker (tests).
    """
    now = now or timezone.now()
    sites = list(sites if sites is not None else SiteProfile.objects.online().select_related("site__root_page"))
    selected = rules_by_code(rules)
    run = CheckRun.objects.create(kind=kind, started_at=now, sites=[s.pk for s in sites],
                                  rules=[r.code for r in selected])
    crawls = {}
    started = time.monotonic()
    if crawl and any(r.code in ("broken_links", "publication_time") for r in selected):
        from .crawler import Crawler

        conf = rule_conf("broken_links")
        crawler = Crawler(conf, fetch=fetch)
        deadline = time.monotonic() + conf["run_deadline_seconds"]
        for site in sites:
            try:
                crawls[site.pk] = crawler.crawl_site(site, deadline=deadline)
            except Exception as error:
                logger.exception("crawl of %s failed", site)
                run.errors.append(f"{site}: 链接检查出错 {type(error).__name__}")
        run.pages_checked = sum(c.pages for c in crawls.values())
        run.links_checked = sum(c.links for c in crawls.values())
    ctx = Context(now, crawls)
    skipped = {}
    totals = Counter()
    for site in sites:
        for rule in selected:
            if rule.code == "broken_links" and site.pk not in crawls:
                skipped.setdefault(rule.code, "未执行链接检查")
                continue
            try:
                drafts = rule.check(site, ctx)
            except Exception as error:
                logger.exception("rule %s failed on %s", rule.code, site)
                run.errors.append(f"{site}: {rule.code} {type(error).__name__}: {error}"[:300])
                continue
            if drafts is None:
                skipped.setdefault(rule.code, "所需数据不可用")
                continue
            counts = _reconcile(site, rule.code, drafts, now, run)
            totals.update(counts)
    run.skipped_rules = skipped
    run.found, run.new, run.resolved = totals["found"], totals["new"], totals["resolved"]
    run.finished_at = now + timedelta(seconds=time.monotonic() - started)
    run.save()
    if alert:
        do_send_alerts(run, sites, now=now)
    return run


@transaction.atomic
def _reconcile(site, rule, drafts, now, run):
    open_findings = {f.key_hash: f for f in Finding.objects.select_for_update().filter(
        site=site, rule=rule, resolved_at__isnull=True)}
    seen, new = set(), 0
    unique = {}
    for draft in drafts:  # the same key twice in one run: keep the most severe
        current = unique.get(draft.key)
        if current is None or SEVERITY_ORDER[draft.severity] > SEVERITY_ORDER[current.severity]:
            unique[draft.key] = draft
    for draft in unique.values():
        key_hash = finding_key_hash(draft.key)
        seen.add(key_hash)
        finding = open_findings.get(key_hash)
        fields = dict(severity=draft.severity, summary=draft.summary[:300], url=draft.url[:1000],
                      excerpt=draft.excerpt, value=draft.value, last_seen_at=now, last_run=run)
        if finding is None:
            Finding.objects.create(site=site, rule=rule, key=draft.key[:500], first_seen_at=now, **fields)
            new += 1
        else:
            for name, value in fields.items():
                setattr(finding, name, value)
            finding.save()
    gone = [f.pk for h, f in open_findings.items() if h not in seen]
    Finding.objects.filter(pk__in=gone).update(resolved_at=now)
    return {"found": len(unique), "new": new, "resolved": len(gone)}


def site_recipients(site):
    """Editors of the site (with an e-mail address) and the site's security officer's mailbox."""
    User = get_user_model()
    users = list(User.objects.filter(groups=site.editors_group, is_active=True)) if site.editors_group_id else []
    emails = sorted({u.email for u in users if u.email} | ({site.email} if site.email else set()))
    return users, emails


def do_send_alerts(run, sites, now=None):
    """Each site with open findings: one in-admin alert per editor and one e-mail digest."""
    now = now or timezone.now()
    sent = 0
    for site in sites:
        findings = sorted(Finding.objects.filter(site=site, resolved_at__isnull=True),
                          key=lambda f: (-SEVERITY_ORDER[f.severity], f.rule, f.pk))
        if not findings:
            continue
        counts = Counter(f.severity for f in findings)
        title = (f"{site.short_name}读网提醒：单项否决{counts[Severity.VETO]}项、问题{counts[Severity.PROBLEM]}项、"
                 f"预警{counts[Severity.WARNING]}项")
        lines = [f"[{Severity(f.severity).label}] {f.summary}" + (f"  {f.url}" if f.url else "")
                 for f in findings[:100]]
        body = "\n".join(lines)
        users, emails = site_recipients(site)
        url = f"/admin/supervision/sites/{site.pk}/"
        Alert.objects.bulk_create([Alert(user=u, site=site, kind="daily", title=title, body=body, url=url,
                                         created_at=now) for u in users])
        if emails:
            officer = f"（网站安全责任人：{site.security_officer}）" if site.security_officer else ""
            send_mail(title, f"{site.organisation}{officer}\n\n以下问题请在国家抽查前整改：\n\n{body}\n\n"
                      f"详情：{settings.WAGTAILADMIN_BASE_URL}{url}\n", settings.DEFAULT_FROM_EMAIL,
                      emails, fail_silently=True)
        sent += 1
    return sent


def do_mark_alerts_read(user, now=None):
    return Alert.objects.filter(user=user, read_at__isnull=True).update(read_at=now or timezone.now())


def do_record_reachability(site, *, ok, seconds=None, status=None, error="", now=None):
    return ReachabilitySample.objects.create(site=site, at=now or timezone.now(), ok=ok, seconds=seconds,
                                             status=status, error=error[:200])


def probe_home(site, timeout):
    """Load a site's home page over HTTP with the national 15-second limit."""
    import requests

    started = time.monotonic()
    try:
        response = requests.get(site.site.root_url + "/", timeout=(min(timeout, 5), timeout),
                                headers={"User-Agent": "govweb-jianguan/1.0"})
        seconds = time.monotonic() - started
        html = "html" in response.headers.get("Content-Type", "")
        ok = response.status_code < 400 and seconds <= timeout and html
        return dict(ok=ok, seconds=seconds, status=response.status_code,
                    error="" if html else "首页不是网页内容")
    except requests.RequestException as error:
        return dict(ok=False, seconds=time.monotonic() - started, error=type(error).__name__)


def do_probe_sites(sites=None, now=None, probe=probe_home):
    conf = rule_conf("home_reachability")
    sites = sites if sites is not None else SiteProfile.objects.online().select_related("site")
    return [do_record_reachability(site, now=now, **probe(site, conf["timeout_seconds"])) for site in sites]


# --- quarterly spot check ---------------------------------------------------------------------

def draw_sample(population, seed, ratio, year, quarter):
    """The sites drawn: ceil(ratio × population), at least one; reproducible from the seed."""
    population = sorted(population)
    if not population:
        return []
    n = min(len(population), max(1, math.ceil(Decimal(str(ratio)) * len(population))))
    rng = random.Random(f"{year}-Q{quarter}-{seed}")
    return sorted(rng.sample(population, n))


def do_draw_spot_check(*, year, quarter, user=None, ratio=None, seed=None, now=None, fetch=None, crawl=True):
    """Draw the quarter's sample (≥ 30% of online sites), run the checks on it, prefill scores."""
    now = now or timezone.now()
    conf = rule_conf("spot_check")
    ratio = Decimal(str(ratio if ratio is not None else conf["min_ratio"]))
    if ratio < Decimal(str(conf["min_ratio"])) or ratio > 1:
        raise ValidationError({"ratio": f"抽查比例不得低于{Decimal(str(conf['min_ratio'])):.0%}，且不超过100%。"})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": "季度应为1至4。"})
    if SpotCheck.objects.filter(year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": f"{year}年第{quarter}季度已经抽取过，不能重复抽取。"})
    seed = str(seed if seed is not None else secrets.randbits(48))
    population = list(SiteProfile.objects.online().values_list("pk", flat=True).order_by("pk"))
    if not population:
        raise ValidationError({"ratio": "没有正常运行的网站可供抽查。"})
    sample = draw_sample(population, seed, ratio, year, quarter)
    with transaction.atomic():
        spot = SpotCheck.objects.create(year=year, quarter=quarter, ratio=ratio, seed=seed,
                                        population=population, sample=sample, drawn_at=now, drawn_by=user)
        if user is not None:
            log(spot, "supervision.draw", user=user, data={"seed": seed, "sample": sample})
    sites = list(SiteProfile.objects.filter(pk__in=sample).select_related("site__root_page"))
    run = do_run_checks(sites=sites, now=now, kind=RunKind.SPOT, fetch=fetch, crawl=crawl, alert=False)
    spot.run = run
    spot.save(update_fields=["run"])
    indicators = list(SpotCheckIndicator.objects.filter(active=True))
    for site in sites:
        findings = list(Finding.objects.filter(site=site, resolved_at__isnull=True))
        snapshot = [{"rule": f.rule, "severity": f.severity, "summary": f.summary, "url": f.url}
                    for f in findings]
        result = SpotCheckResult.objects.create(spot_check=spot, site=site, auto_findings=snapshot)
        for indicator in indicators:
            related = [f for f in findings if f.rule in indicator.rule_list()]
            if indicator.is_veto:
                vetoed = any(f.severity == Severity.VETO for f in related)
                SpotCheckScore.objects.create(result=result, indicator=indicator, vetoed=vetoed,
                                              note="自动检查触发否决" if vetoed else "")
            else:
                problems = [f for f in related if f.severity != Severity.WARNING]
                points = max(Decimal(indicator.points) - 2 * len(problems), Decimal(0))
                SpotCheckScore.objects.create(result=result, indicator=indicator, points=points,
                                              note=f"自动检查发现{len(problems)}个问题" if problems else "")
        _total(result)
    return spot


def _total(result):
    pass_mark = rule_conf("spot_check")["pass_mark"]
    scores = list(result.scores.select_related("indicator"))
    result.score = sum((s.points for s in scores if not s.indicator.is_veto), Decimal(0))
    vetoes = [s.indicator.name for s in scores if s.indicator.is_veto and s.vetoed]
    result.vetoed = bool(vetoes)
    result.veto_reasons = "、".join(vetoes)[:300]
    result.passed = not vetoes and result.score >= pass_mark
    result.save()
    return result


@transaction.atomic
def do_score_site(result, *, scores, user, comment=None):
    """Inspector's scores: {indicator pk: (points, vetoed, note)}; points within 0..max."""
    if result.spot_check.status != SpotCheckStatus.DRAWN:
        raise ValidationError({"__all__": "抽查结果已签发，不能再修改评分。"})
    errors = {}
    for score in result.scores.select_related("indicator"):
        if score.indicator_id not in scores:
            continue
        points, vetoed, note = scores[score.indicator_id]
        indicator = score.indicator
        if not indicator.is_veto:
            points = Decimal(str(points))
            if points < 0 or points > indicator.points:
                errors[f"points_{indicator.pk}"] = f"“{indicator.name}”得分应在0至{indicator.points}分之间。"
                continue
            score.points = points
        else:
            score.vetoed = bool(vetoed)
        score.note = (note or "")[:300]
        score.save()
    if errors:
        raise ValidationError(errors)
    if comment is not None:
        result.comment = comment
    result.scored = True
    _total(result)
    log(result, "supervision.score", user=user)
    return result


@transaction.atomic
def do_sign_off_spot_check(spot, *, user, summary="", now=None):
    """签发: fix the results; units with serious problems get a rectification notice."""
    if not user.is_superuser:
        raise PermissionDenied
    if spot.status != SpotCheckStatus.DRAWN:
        raise ValidationError({"__all__": "该次抽查已经签发。"})
    now = now or timezone.now()
    spot.status, spot.signed_by, spot.signed_at = SpotCheckStatus.SIGNED, user, now
    spot.summary = summary or spot.summary
    spot.save()
    for result in spot.results.select_related("site"):
        if result.passed:
            continue
        users, emails = site_recipients(result.site)
        reason = result.veto_reasons and f"单项否决：{result.veto_reasons}" or f"得分{result.score}分，低于合格线"
        title = f"整改通知：{spot}中{result.site.organisation}不合格"
        body = f"{reason}。请于15个工作日内完成整改并报送整改情况。"
        Alert.objects.bulk_create([Alert(user=u, site=result.site, kind="notice", title=title, body=body,
                                         url=f"/admin/supervision/spot/{spot.pk}/", created_at=now) for u in users])
        if emails:
            send_mail(title, body, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)
        result.notice_sent_at = now
        result.save(update_fields=["notice_sent_at"])
    log(spot, "supervision.sign", user=user)
    return spot


def do_publish_spot_check(spot, *, user, now=None):
    if not user.is_superuser:
        raise PermissionDenied
    if spot.status != SpotCheckStatus.SIGNED:
        raise ValidationError({"__all__": "抽查结果须先签发再公开。"})
    spot.status, spot.published_at = SpotCheckStatus.PUBLISHED, now or timezone.now()
    spot.save(update_fields=["status", "published_at"])
    _purge_portal()
    log(spot, "supervision.publish", user=user)
    return spot


def _purge_portal():
    try:
        from govweb.base import pagecache

        pagecache.clear()
    except Exception:  # the page cache is an optimisation; never block a publication
        logger.exception("page cache purge failed")


# --- annual reports ---------------------------------------------------------------------------

def do_fill_annual_report(site, year, *, now=None, refill=False):
    """Fill (or refresh, while still a draft) a site's annual report from platform data."""
    from .annual import collect

    now = now or timezone.now()
    report = AnnualReport.objects.filter(site=site, year=year).first()
    if report is not None and (report.status != ReportStatus.DRAFT or not refill):
        return report
    data, columns = collect(site, year)
    if report is None:
        report = AnnualReport.objects.create(site=site, year=year, data=data, columns=columns, filled_at=now)
    else:
        report.data, report.columns, report.filled_at = data, columns, now
        report.save()
    return report


def do_update_annual_report(report, *, manual, user):
    if report.status != ReportStatus.DRAFT:
        raise ValidationError({"__all__": "报表已审签，不能修改。"})
    report.manual = {**report.manual, **manual}
    report.save(update_fields=["manual"])
    log(report, "wagtail.edit", user=user)
    return report


def do_sign_annual_report(report, *, user, now=None):
    from .annual import SIGN_FIELDS

    if report.status != ReportStatus.DRAFT:
        raise ValidationError({"__all__": "报表已经审签。"})
    missing = [label for key, label in SIGN_FIELDS if not str(report.manual.get(key) or "").strip()]
    if missing:
        raise ValidationError({"__all__": "审签前请填写：" + "、".join(missing)})
    report.status, report.signed_by, report.signed_at = ReportStatus.SIGNED, user, now or timezone.now()
    report.save()
    log(report, "supervision.sign", user=user)
    return report


def do_publish_annual_report(report, *, user, now=None):
    if report.status != ReportStatus.SIGNED:
        raise ValidationError({"__all__": "报表须先审签再公开。"})
    report.status, report.published_at = ReportStatus.PUBLISHED, now or timezone.now()
    report.save()
    _purge_portal()
    log(report, "supervision.publish", user=user)
    return report


def do_remind_annual_reports(now=None):
    """January: fill last year's report of every online site and remind editors of unpublished ones."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today.month != 1:
        return 0
    year = today.year - 1
    reminded = 0
    for site in SiteProfile.objects.online():
        report = do_fill_annual_report(site, year, now=now)
        if report.status == ReportStatus.PUBLISHED:
            continue
        users, emails = site_recipients(site)
        if Alert.objects.filter(site=site, kind="annual", created_at__date=today).exists():
            continue
        title = f"{site.short_name}{year}年度网站工作年度报表须于1月31日前审签公开（剩余{31 - today.day}天）"
        Alert.objects.bulk_create([Alert(user=u, site=site, kind="annual", title=title,
                                         url=f"/admin/supervision/annual/{report.pk}/", created_at=now) for u in users])
        if emails:
            send_mail(title, title, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)
        reminded += 1
    return reminded


def do_publish_supervision_report(year, *, user, training="", now=None):
    from .queries import supervision_report

    if not user.is_superuser:
        raise PermissionDenied
    report, _created = SupervisionReport.objects.get_or_create(year=year)
    report.data = supervision_report(year)
    report.training = training
    report.published_at = now or timezone.now()
    report.save()
    _purge_portal()
    return report


# --- counterfeit sites ------------------------------------------------------------------------

def do_report_counterfeit(*, url, description, reporter_name="", reporter_contact="", imitated_site=None,
                          source="public", now=None):
    return CounterfeitSite.objects.create(
        url=url, description=description, reporter_name=reporter_name, reporter_contact=reporter_contact,
        imitated_site=imitated_site, source=source, received_at=now or timezone.now())


def do_handle_counterfeit(entry, *, status, handling, user, now=None):
    if not user.is_superuser:
        raise PermissionDenied
    entry.status, entry.handling = status, handling
    if status in (CounterfeitStatus.TAKEN_DOWN, CounterfeitStatus.NOT_COUNTERFEIT) and not entry.closed_at:
        entry.closed_at = now or timezone.now()
    entry.save()
    log(entry, "wagtail.edit", user=user)
    return entry


def online_sites():
    return SiteProfile.objects.filter(status=SiteStatus.ONLINE)
