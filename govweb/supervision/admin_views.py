"""Admin views (admin role, under /admin/supervision/): thin — check who asks, call, render."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import actions, annual, queries, tasks
from .forms import AnnualReportForm, DrawForm, ScoreForm
from .models import Alert, AnnualReport, ReportStatus, SpotCheck, SpotCheckResult, SupervisionReport


def _render(request, template, title, context, icon="warning"):
    context.update(page_title=title, header_title=title, header_icon=icon)
    return TemplateResponse(request, template, context)


def _superuser(request):
    if not request.user.is_superuser:
        raise PermissionDenied


def _errors(error):
    if hasattr(error, "message_dict"):
        return "；".join(m for msgs in error.message_dict.values() for m in msgs)
    return "；".join(error.messages)


def dashboard(request):
    """读网监测: the cluster at a glance (general office) or the editor's own site(s)."""
    sites = list(queries.visible_sites(request.user).select_related("site"))
    if not request.user.is_superuser and len(sites) == 1:
        return redirect("supervision_admin:site", sites[0].pk)
    rows, rules = queries.dashboard(sites)
    return _render(request, "supervision/admin/dashboard.html", "读网监测", {
        "rows": rows, "rules": rules, "last_run": queries.last_run(), "is_admin": request.user.is_superuser})


def site_report(request, pk):
    site = queries.visible_sites(request.user).filter(pk=pk).select_related("site").first()
    if site is None:
        raise Http404
    return _render(request, "supervision/admin/site.html", f"{site.organisation}·读网报告", {
        "site": site, "findings": queries.open_findings(site), "resolved": queries.recently_resolved(site)})


@require_POST
def run_now(request):
    _superuser(request)
    tasks.run_daily_checks.enqueue()
    messages.success(request, "已开始读网检查，完成后结果将显示在本页。")
    return redirect("supervision_admin:dashboard")


def alerts(request):
    items = Alert.objects.filter(user=request.user)[:100]
    return _render(request, "supervision/admin/alerts.html", "监管提醒", {"alerts": items})


@require_POST
def alerts_read(request):
    actions.do_mark_alerts_read(request.user)
    return redirect("supervision_admin:alerts")


# --- spot checks ------------------------------------------------------------------------------

def spot_checks(request):
    _superuser(request)
    today = timezone.localdate()
    form = DrawForm(request.POST or None, initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            spot = actions.do_draw_spot_check(year=data["year"], quarter=data["quarter"], ratio=data["ratio"],
                                              seed=data["seed"] or None, user=request.user)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, f"已抽取{len(spot.sample)}个网站，自动检查已完成，请评分。")
            return redirect("supervision_admin:spot", spot.pk)
    return _render(request, "supervision/admin/spot_checks.html", "季度抽查", {
        "form": form, "spot_checks": SpotCheck.objects.all()})


def spot_check(request, pk):
    _superuser(request)
    spot = get_object_or_404(SpotCheck, pk=pk)
    return _render(request, "supervision/admin/spot_check.html", str(spot), {
        "spot": spot, "results": spot.results.select_related("site")})


def score(request, pk):
    _superuser(request)
    result = get_object_or_404(SpotCheckResult.objects.select_related("site", "spot_check"), pk=pk)
    form = ScoreForm(request.POST or None, result=result)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_score_site(result, scores=form.scores(), user=request.user,
                                  comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, f"{result.site.organisation}评分已保存。")
            return redirect("supervision_admin:spot", result.spot_check_id)
    return _render(request, "supervision/admin/score.html", f"评分：{result.site.organisation}", {
        "result": result, "form": form})


@require_POST
def sign_spot_check(request, pk):
    spot = get_object_or_404(SpotCheck, pk=pk)
    try:
        actions.do_sign_off_spot_check(spot, user=request.user, summary=request.POST.get("summary", ""))
        messages.success(request, "抽查结果已签发，不合格单位已收到整改通知。")
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("supervision_admin:spot", pk)


@require_POST
def publish_spot_check(request, pk):
    spot = get_object_or_404(SpotCheck, pk=pk)
    try:
        actions.do_publish_spot_check(spot, user=request.user)
        messages.success(request, "抽查结果已在门户网站公开。")
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("supervision_admin:spot", pk)


def appraisal(request, year=None):
    _superuser(request)
    year = year or timezone.localdate().year
    return _render(request, "supervision/admin/appraisal.html", f"{year}年度网站考核", {
        "year": year, "rows": queries.appraisal_table(year)})


# --- annual reports ---------------------------------------------------------------------------

def _visible_report(request, pk):
    report = get_object_or_404(AnnualReport.objects.select_related("site"), pk=pk)
    if not queries.visible_sites(request.user).filter(pk=report.site_id).exists():
        raise Http404
    return report


def annual_reports(request):
    sites = queries.visible_sites(request.user)
    year = timezone.localdate().year - 1
    if request.method == "POST":
        year = int(request.POST.get("year") or year)
        for site in sites.filter(status="online"):
            actions.do_fill_annual_report(site, year, refill=True)
        messages.success(request, f"已根据平台数据填报{year}年度报表。")
        return redirect("supervision_admin:annual")
    reports = AnnualReport.objects.filter(site__in=sites).select_related("site")
    return _render(request, "supervision/admin/annual_list.html", "网站年度报表", {
        "reports": reports, "year": year})


def annual_report(request, pk):
    report = _visible_report(request, pk)
    form = AnnualReportForm(request.POST or None, report=report)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "save" and form.is_valid():
                manual = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in form.cleaned_data.items()}
                actions.do_update_annual_report(report, manual=manual, user=request.user)
                messages.success(request, "已保存。")
                return redirect("supervision_admin:annual_report", pk)
            if action == "sign":
                actions.do_sign_annual_report(report, user=request.user)
                messages.success(request, "报表已审签。")
                return redirect("supervision_admin:annual_report", pk)
            if action == "publish":
                actions.do_publish_annual_report(report, user=request.user)
                messages.success(request, "报表已在网站公开。")
                return redirect("supervision_admin:annual_report", pk)
        except ValidationError as error:
            messages.error(request, _errors(error))
    return _render(request, "supervision/admin/annual_report.html", f"{report}", {
        "report": report, "form": form, "rows": annual.rows(report), "draft": report.status == ReportStatus.DRAFT,
        "signed": report.status == ReportStatus.SIGNED})


def annual_report_file(request, pk, fmt):
    from .views import report_file_response

    return report_file_response(_visible_report(request, pk), fmt)


def yearly_report(request, year):
    _superuser(request)
    if request.method == "POST":
        actions.do_publish_supervision_report(year, user=request.user, training=request.POST.get("training", ""))
        messages.success(request, f"{year}年度监管工作报告已在门户网站公开。")
        return redirect(reverse("supervision_admin:yearly", args=[year]))
    data = queries.supervision_report(year)
    rows = [(label, data.get(key)) for key, label in queries.SUPERVISION_LABELS]
    return _render(request, "supervision/admin/yearly.html", f"{year}年度监管工作报告", {
        "year": year, "rows": rows, "published": SupervisionReport.objects.filter(year=year).first()})
