"""Admin views (admin role only, mounted under /admin/reprint/ by wagtail_hooks).

Thin: check who is asking, call an action, render. Permission rules are the actions' and
queries' own, so a crafted POST meets the same checks as the form.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from . import actions, queries
from .forms import DirectiveForm, PushForm, ReprintForm
from .models import PushRecord, ReprintDirective, ReprintTask, UpstreamFeed

REPORT_PERIODS = ("7", "30", "90", "365")


def _render(request, template, title, context, icon="resubmit"):
    context.update(page_title=title, header_title=title, header_icon=icon)
    return TemplateResponse(request, template, context)


def _error_text(error):
    if hasattr(error, "message_dict"):
        return "；".join(m for msgs in error.message_dict.values() for m in msgs)
    return "；".join(error.messages)


# --- push ----------------------------------------------------------------------------------

def push(request, page_id):
    """推送到其他网站: choose columns of other sites; each gets an alias of the item."""
    page = queries.original_of(get_object_or_404(Page, pk=page_id)).specific
    source_site = queries.site_of_page(page)
    if source_site is None or not (request.user.is_superuser
                                   or queries.is_site_editor(request.user, source_site)):
        raise PermissionDenied
    if not queries.is_item_page(page):
        messages.error(request, _("只能推送栏目中的信息。"))
        return HttpResponseRedirect(reverse("wagtailadmin_explore", args=[page.get_parent().pk]))
    form = PushForm(request.POST or None, user=request.user, page=page)
    if request.method == "POST" and form.is_valid():
        done, failed = [], []
        for column in form.selected_columns():
            try:
                record = actions.do_push_page(page, column, user=request.user)
                done.append(f"{record.target_site.short_name}·{column.title}")
            except (ValidationError, PermissionDenied) as error:
                text = _error_text(error) if isinstance(error, ValidationError) else str(error)
                failed.append(f"{column.title}：{text}")
        if done:
            messages.success(request, _("已推送到：%(list)s") % {"list": "、".join(done)})
        for text in failed:
            messages.error(request, text)
        return HttpResponseRedirect(reverse("reprint:push", args=[page.pk]))
    return _render(request, "reprint/admin/push.html", _("推送到其他网站"), {
        "page": page, "source_site": source_site, "form": form,
        "records": queries.pushes_of(page),
        "can_issue": queries.can_issue_directive(request.user, page),
    }, icon="redirect")


@require_POST
def withdraw_push(request, record_id):
    record = get_object_or_404(PushRecord, pk=record_id)
    try:
        actions.do_withdraw_push(record, user=request.user)
        messages.success(request, _("已撤回推送：%(t)s → %(s)s") % {
            "t": record.source_title, "s": record.target_site})
    except ValidationError as error:
        messages.error(request, _error_text(error))
    next_url = request.POST.get("next")
    if not next_url or not next_url.startswith("/admin/"):
        next_url = reverse("reprint:pushes")
    return HttpResponseRedirect(next_url)


def push_records(request):
    records = queries.push_records_for(request.user)[:300]
    return _render(request, "reprint/admin/push_records.html", _("推送记录"),
                   {"records": records}, icon="redirect")


# --- directives and tasks ------------------------------------------------------------------

def index(request):
    """转载任务: a site editor's own tasks; for cluster administrators every directive and site."""
    now = timezone.now()
    my_tasks = [queries.task_state(t, now) for t in
                queries.tasks_for(request.user).order_by("status", "-directive__issued_at")[:200]]
    context = {"now": now, "my_tasks": my_tasks}
    if request.user.is_superuser or queries.editor_sites(request.user).filter(
            category="portal").exists():
        context["summaries"] = queries.directive_summaries(
            now, ReprintDirective.objects.select_related("issued_by")[:100])
        days = request.GET.get("days", "90")
        days = int(days) if days in REPORT_PERIODS else 90
        context.update(days=days, periods=REPORT_PERIODS,
                       site_rows=queries.site_report(now, since=now - timedelta(days=days)))
    return _render(request, "reprint/admin/index.html", _("转载任务"), context)


def _can_see_report(user, directive):
    if user.is_superuser:
        return True
    return queries.editor_sites(user).filter(category="portal").exists()


def directive_detail(request, directive_id):
    directive = get_object_or_404(ReprintDirective.objects.select_related("issued_by"),
                                  pk=directive_id)
    if not _can_see_report(request.user, directive):
        raise PermissionDenied
    report = queries.directive_report(directive, timezone.now())
    return _render(request, "reprint/admin/directive.html", _("转载情况"), {
        "directive": directive, "report": report,
        "source_page": queries.source_page_of(directive),
    })


def issue_directive(request, page_id):
    """下发转载指令 for a published item of the portal."""
    page = queries.original_of(get_object_or_404(Page, pk=page_id)).specific
    if not queries.can_issue_directive(request.user, page):
        raise PermissionDenied
    source_site = queries.site_of_page(page)
    form = DirectiveForm(request.POST or None, source_site=source_site)
    if request.method == "POST" and form.is_valid():
        try:
            directive = actions.do_issue_directive(
                sites=form.cleaned_data["sites"], user=request.user, source_page=page,
                deadline_hours=form.cleaned_data["deadline_hours"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("已向%(n)d个网站下发转载指令。") % {
                "n": directive.tasks.count()})
            return HttpResponseRedirect(reverse("reprint:directive", args=[directive.pk]))
    return _render(request, "reprint/admin/issue.html", _("下发转载指令"), {
        "page": page, "source_site": source_site, "form": form,
    })


def task_detail(request, task_id):
    """The site editor's reprint: one click with the preselected column."""
    task = get_object_or_404(
        ReprintTask.objects.select_related("directive__source_entry__feed", "site"), pk=task_id,
    )
    if not queries.is_site_editor(request.user, task.site):
        raise PermissionDenied
    form = ReprintForm(request.POST or None, task=task)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_reprint(task, user=request.user, column=form.selected_column(),
                               mode=form.cleaned_data["mode"])
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("已转载《%(t)s》。") % {"t": task.directive.title})
            return HttpResponseRedirect(reverse("reprint:index"))
    task.refresh_from_db()
    return _render(request, "reprint/admin/task.html", _("转载"), {
        "task": task, "state": queries.task_state(task, timezone.now()), "form": form,
        "source_page": queries.source_page_of(task.directive),
        "entry": task.directive.source_entry,
    })


@require_POST
def fetch_feed_now(request, feed_id):
    if not request.user.is_superuser:
        raise PermissionDenied
    feed = get_object_or_404(UpstreamFeed, pk=feed_id)
    entries, directives = actions.do_fetch_feed(feed)
    feed.refresh_from_db()
    messages.info(request, f"{feed.name}：{feed.last_status}")
    return HttpResponseRedirect(reverse("reprint_feeds:index"))
