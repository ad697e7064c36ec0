"""Admin dashboards (统计分析): cluster-wide for the general office, per site for its managers.

Every view checks on the server which sites the user may see: superusers see all, others only
the sites whose editor or reviewer group they belong to.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from govweb.cluster.models import SiteProfile
from govweb.cluster.queries import sites_for_user

from . import queries
from .export import xlsx_response
from .forms import PRESETS, PeriodForm
from .models import IngestRun, LogSource, SiteScore
from .records import UA_LABELS


def visible_sites(user):
    if not user.is_authenticated:
        return SiteProfile.objects.none()
    if user.is_superuser:
        return SiteProfile.objects.select_related("site").order_by("pk")
    return sites_for_user(user).select_related("site").distinct().order_by("pk")


def _scope(request):
    """(form, selected profiles, site ids or None for all, start, end)."""
    sites = list(visible_sites(request.user))
    if not sites:
        raise PermissionDenied
    allow_all = request.user.is_superuser or len(sites) > 1
    form = PeriodForm(request.GET or None, sites=sites, allow_all=allow_all)
    wanted = request.GET.get("site")
    if wanted and not any(str(p.site_id) == wanted for p in sites):
        raise PermissionDenied  # a site outside the user's own: refused, not silently widened
    start, end = form.period()
    site_id = form.cleaned_data.get("site") if form.is_bound and form.is_valid() else None
    if site_id is None and not allow_all:
        site_id = sites[0].site_id
    if site_id is not None:
        selected = [p for p in sites if p.site_id == site_id]
        return form, selected, [site_id], start, end
    ids = None if request.user.is_superuser else [p.site_id for p in sites]
    return form, sites, ids, start, end


def _base_context(request, form, start, end, title):
    query = request.GET.copy()
    query.pop("export", None)
    today = timezone.localdate()
    preset_links = []
    for days, label in PRESETS:
        preset = query.copy()
        preset["start"] = (today - dt.timedelta(days=days - 1)).isoformat()
        preset["end"] = today.isoformat()
        preset_links.append((label, preset.urlencode()))
    return {"form": form, "start": start, "end": end, "page_title": title,
            "preset_links": preset_links, "querystring": query.urlencode(), "today": today}


def dashboard(request):
    form, profiles, site_ids, start, end = _scope(request)
    data = queries.dashboard(start, end, site_ids)
    for row in data["devices"]:
        row["label"] = UA_LABELS.get(row["ua"], row["ua"])
    for row in data["referrers"]:
        row["label"] = row["ref"] or _("直接访问")
    tables = {
        "sites": ([_("网站"), _("浏览量"), _("访客数"), _("请求数"), _("错误数")],
                  [(r["site_name"], r["pv"], r["uv"], r["hits"], r["errors"]) for r in data["sites"]]),
        "trend": ([_("日期"), _("浏览量"), _("访客数")],
                  [(r["day"], r["pv"], r["uv"]) for r in data["trend"]]),
        "pages": ([_("网站"), _("页面"), _("地址"), _("浏览量"), _("访客数")],
                  [(r["site_name"], r["title"], r["path"], r["pv"], r["uv"]) for r in data["pages"]]),
        "columns": ([_("网站"), _("栏目"), _("浏览量"), _("访客数")],
                    [(r["site_name"], r["title"], r["pv"], r["uv"]) for r in data["columns"]]),
        "referrers": ([_("来源"), _("浏览量")], [(r["label"], r["pv"]) for r in data["referrers"]]),
        "devices": ([_("终端"), _("浏览量"), _("访客数")],
                    [(r["label"], r["pv"], r["uv"]) for r in data["devices"]]),
        "hours": ([_("时段"), _("浏览量")], [(f"{r['hour']:02d}:00", r["pv"]) for r in data["hours"]]),
        "searches": ([_("检索词"), _("检索次数"), _("无结果次数"), _("点击次数")],
                     [(r["q"], r["searches"], r["zero"], r["clicks"]) for r in data["searches"]]),
        "zero_results": ([_("无结果检索词"), _("无结果次数"), _("检索次数")],
                         [(r["q"], r["zero"], r["searches"]) for r in data["zero_results"]]),
    }
    export = request.GET.get("export")
    if export:
        if export not in tables:
            raise PermissionDenied
        headers, rows = tables[export]
        return xlsx_response(f"analytics-{export}-{start}-{end}", headers, rows)
    charts = {
        "trend": {"x": [r["day"].isoformat() for r in data["trend"]],
                  "pv": [r["pv"] for r in data["trend"]], "uv": [r["uv"] for r in data["trend"]]},
        "hours": {"x": [f"{h:02d}" for h in range(24)],
                  "pv": [next((r["pv"] for r in data["hours"] if r["hour"] == h), 0)
                         for h in range(24)]},
        "devices": [{"name": r["label"], "value": r["pv"]} for r in data["devices"]],
        "referrers": {"x": [r["label"] for r in data["referrers"][:10]],
                      "pv": [r["pv"] for r in data["referrers"][:10]]},
        "sites": {"x": [r["site_name"] for r in data["sites"][:20]],
                  "pv": [r["pv"] for r in data["sites"][:20]]},
    }
    context = _base_context(request, form, start, end, _("访问统计"))
    context.update(data=data, charts=charts, profiles=profiles, tables=tables,
                   scope_label=profiles[0].organisation if site_ids and len(site_ids) == 1
                   else _("全部网站"))
    return render(request, "analytics/dashboard.html", context)


def columns(request):
    form, profiles, _ids, start, end = _scope(request)
    now = timezone.now()
    rows = queries.column_statistics(profiles, start, end, now)
    services = queries.service_usage(profiles, start, end, now)
    export = request.GET.get("export")
    if export == "columns":
        return xlsx_response(
            f"analytics-columns-{start}-{end}",
            [_("网站"), _("栏目"), _("类型"), _("更新周期（天）"), _("期内发布"), _("应更新次数"),
             _("最近更新"), _("是否按时更新"), _("浏览量"), _("访客数"), _("推送/转载")],
            [(r["site"], r["column"], r["kind"], r["expected_days"], r["published"], r["expected"],
              r["last_update"], _("是") if r["on_time"] else _("否"), r["pv"], r["uv"],
              r["reposts"]) for r in rows])
    if export == "services":
        return xlsx_response(f"analytics-services-{start}-{end}",
                             [_("网站"), _("事项"), _("评价数"), _("好评数")],
                             [(r["site"], r["name"], r["ratings"], r["good"]) for r in services])
    context = _base_context(request, form, start, end, _("栏目统计"))
    context.update(rows=rows, services=services, neglected=sum(1 for r in rows if not r["on_time"]))
    return render(request, "analytics/columns.html", context)


def evaluation(request):
    sites = list(visible_sites(request.user))
    if not sites:
        raise PermissionDenied
    latest = SiteScore.objects.filter(site__in=sites).order_by("-day").values_list("day", flat=True).first()
    scores = list(SiteScore.objects.filter(site__in=sites, day=latest).select_related("site")
                  .order_by("-total", "site_id")) if latest else []
    if request.GET.get("export") == "evaluation":
        return xlsx_response(
            f"analytics-evaluation-{latest}",
            [_("排名"), _("网站"), _("总分"), _("信息发布"), _("解读回应"), _("办事服务"), _("互动交流")],
            [(i + 1, s.site.organisation, s.total, s.publication, s.interpretation, s.services,
              s.interaction) for i, s in enumerate(scores)])
    chart = {"x": [s.site.short_name or s.site.organisation for s in scores],
             "total": [s.total for s in scores]}
    return render(request, "analytics/evaluation.html", {
        "page_title": _("网站评估"), "scores": scores, "day": latest, "chart": chart,
    })


def evaluation_detail(request, site_id):
    profile = get_object_or_404(visible_sites(request.user), site_id=site_id)
    history = list(SiteScore.objects.filter(site=profile).order_by("-day")[:30])
    current = history[0] if history else None
    return render(request, "analytics/evaluation_detail.html", {
        "page_title": _("%(site)s 评估明细") % {"site": profile.organisation},
        "profile": profile, "score": current, "history": history,
    })


def ingestion(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    return render(request, "analytics/ingestion.html", {
        "page_title": _("日志入库"),
        "runs": IngestRun.objects.all()[:30],
        "sources": LogSource.objects.order_by("-updated_at")[:100],
        "since": timezone.now() - dt.timedelta(days=7),
    })
