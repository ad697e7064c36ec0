"""Public supervision pages (监管信息公开), under /jianguan/ on each site.

The portal publishes the quarterly spot-check results and the yearly supervision report and
collects every site's annual report; each site shows its own annual reports; every site takes
reports of counterfeit government sites.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from govweb.cluster.models import SiteCategory, SiteProfile

from . import actions, annual, queries
from .forms import CounterfeitReportForm
from .models import (
    AnnualReport,
    CounterfeitSite,
    CounterfeitStatus,
    ReportStatus,
    SpotCheck,
    SpotCheckStatus,
    SupervisionReport,
)


def current_profile(request):
    site = getattr(request, "_wagtail_site", None)
    profile = SiteProfile.objects.filter(site=site).select_related("site").first() if site else None
    if profile is None:
        raise Http404
    return profile


def _portal_only(request):
    profile = current_profile(request)
    if profile.category != SiteCategory.PORTAL:
        raise Http404
    return profile


def index(request):
    profile = current_profile(request)
    is_portal = profile.category == SiteCategory.PORTAL
    return render(request, "supervision/public/index.html", {
        "is_portal": is_portal,
        "spot_checks": queries.published_spot_checks() if is_portal else [],
        "supervision_reports": SupervisionReport.objects.filter(published_at__isnull=False) if is_portal else [],
        "reports": queries.published_reports(profile)[:20],
    })


def spot_check(request, pk):
    _portal_only(request)
    spot = get_object_or_404(SpotCheck, pk=pk, status=SpotCheckStatus.PUBLISHED)
    results = spot.results.select_related("site").order_by("-score", "site_id")
    return render(request, "supervision/public/spot_check.html", {"spot": spot, "results": results})


def annual_reports(request):
    profile = current_profile(request)
    return render(request, "supervision/public/annual_reports.html", {
        "reports": queries.published_reports(profile),
        "is_portal": profile.category == SiteCategory.PORTAL})


def _published_report(request, pk):
    profile = current_profile(request)
    report = get_object_or_404(AnnualReport.objects.select_related("site"), pk=pk, status=ReportStatus.PUBLISHED)
    if profile.category != SiteCategory.PORTAL and report.site_id != profile.pk:
        raise Http404
    return report


def annual_report(request, pk):
    report = _published_report(request, pk)
    return render(request, "supervision/public/annual_report.html", {
        "report": report, "title": annual.title_of(report), "rows": annual.rows(report),
        "sign_rows": annual.sign_rows(report)})


def report_file_response(report, fmt):
    name = f"annual-report-{report.site.id_code}-{report.year}"
    if fmt == "xlsx":
        response = HttpResponse(annual.to_xlsx(report), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    elif fmt == "pdf":
        response = HttpResponse(annual.to_pdf(report), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def annual_report_file(request, pk, fmt):
    return report_file_response(_published_report(request, pk), fmt)


def supervision_report(request, year):
    _portal_only(request)
    report = get_object_or_404(SupervisionReport, year=year, published_at__isnull=False)
    rows = [(label, report.data.get(key)) for key, label in queries.SUPERVISION_LABELS]
    return render(request, "supervision/public/supervision_report.html", {"report": report, "rows": rows})


@require_http_methods(["GET", "POST"])
def counterfeit_report(request):
    """仿冒网站举报: the form, and the register of confirmed fakes (no reporter data shown)."""
    profile = current_profile(request)
    form = CounterfeitReportForm(request.POST or None)
    limited = False
    if request.method == "POST":
        limited = is_ratelimited(request, group="supervision.counterfeit", key="ip", rate="10/h",
                                 method="POST", increment=True)
        if not limited and form.is_valid():
            data = form.cleaned_data
            actions.do_report_counterfeit(url=data["url"], description=data["description"],
                                          reporter_name=data["reporter_name"],
                                          reporter_contact=data["reporter_contact"], imitated_site=profile)
            return redirect(request.path + "?received=1")
    confirmed = CounterfeitSite.objects.filter(
        status__in=[CounterfeitStatus.CONFIRMED, CounterfeitStatus.TAKEN_DOWN]).order_by("-received_at")[:50]
    response = render(request, "supervision/public/counterfeit.html", {
        "form": form, "received": request.GET.get("received") == "1", "confirmed": confirmed,
        "limited": limited}, status=429 if limited else 200)
    return response
