"""Admin views of the services app: guide editing rules, reports for the general office."""

from functools import wraps

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.snippets.views import snippets as snippet_views

from . import queries
from .models import KEY_ELEMENT_LABELS, ImportRun, ServiceItem
from .permissions import unit_ids_for, user_may_handle_unit


def unit_guard(view, model, field="department_id"):
    """Refuse any admin view on an object of another unit (the URL carries its pk)."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            unit_id = (model.objects.filter(pk=unquote(str(pk)))
                       .values_list(field, flat=True).first())
            if unit_id is not None and not user_may_handle_unit(request.user, unit_id):
                raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


class _PublishOnlyWhenComplete:
    """A guide missing any of the 8 key elements is saved as a draft, never published."""

    def form_valid(self, form):
        self.blocked_missing = None
        if self.action in ("publish", "submit"):
            missing = form.missing_elements()
            if missing:
                self.blocked_missing = missing
                self.action = self.view_name  # "create" or "edit": save a draft instead
                self.saving_as_draft = True
        response = super().form_valid(form)
        if self.blocked_missing:
            labels = "、".join(str(KEY_ELEMENT_LABELS[key]) for key in self.blocked_missing)
            messages.error(self.request, _("已保存为草稿，但未发布：办事指南缺少%(labels)s。") % {
                "labels": labels})
        return response


class ServiceItemCreateView(_PublishOnlyWhenComplete, snippet_views.CreateView):
    pass


class ServiceItemEditView(_PublishOnlyWhenComplete, snippet_views.EditView):
    pass


def _user_units(request):
    units = unit_ids_for(request.user)
    return units  # None: all units


def completeness_report(request):
    """指南完整性: per unit, items missing key elements, stale items, behind the hall."""
    if not request.user.has_perm("services.view_serviceitem"):
        raise PermissionDenied
    rows = queries.completeness_report(units=_user_units(request))
    return render(request, "services/admin/completeness.html", {
        "rows": rows, "veto_units": [r for r in rows if r["veto"]],
        "stale_days": queries.STALE_AFTER_DAYS,
    })


def statistics(request):
    """办事统计: the figures the annual report needs, per unit, for a year."""
    if not request.user.has_perm("services.view_serviceitem"):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    rows, totals = queries.service_statistics(year, units=_user_units(request))
    return render(request, "services/admin/statistics.html", {
        "rows": rows, "totals": totals, "year": year,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    })


def import_runs(request):
    """数据交换记录: recent imports with their diff reports (cluster administrators)."""
    if not request.user.is_superuser:
        raise PermissionDenied
    runs = ImportRun.objects.all()[:50]
    selected = None
    if request.GET.get("run"):
        selected = ImportRun.objects.filter(pk=request.GET["run"]).first() \
            if request.GET["run"].isdigit() else None
    return render(request, "services/admin/import_runs.html", {"runs": runs, "selected": selected})


__all__ = ["ServiceItem", "ServiceItemCreateView", "ServiceItemEditView", "unit_guard",
           "completeness_report", "statistics", "import_runs"]
