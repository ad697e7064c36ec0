"""转载指令 (R12.1): tasks with a 12-hour deadline, one-click reprint, the on-time/late report."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from govweb.reprint.actions import do_alert_late_tasks, do_issue_directive, do_reprint
from govweb.reprint.models import ReprintDirective, ReprintMode, ReprintTask, TaskStatus
from govweb.reprint.queries import (
    LATE,
    MISSING,
    ON_TIME,
    PENDING,
    default_reprint_column,
    directive_report,
    site_report,
)

from .conftest import ADMIN_HOST, column, own_article, path_on_site, profile, public_get, user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("admin_role")]

T0 = timezone.make_aware(datetime(2025, 3, 3, 9, 0))  # a fixed clock: Monday 09:00 Beijing


def issue(keys=("yunyan", "nanming", "guanshanhu", "jyj"), now=T0, **kwargs):
    return do_issue_directive(
        sites=[profile(k) for k in keys], user=user("admin"),
        source_page=own_article(profile("portal")), now=now, **kwargs,
    )


def task_of(directive, key):
    return directive.tasks.get(site=profile(key))


def test_report_says_on_time_late_missing_and_pending_with_a_fixed_clock():
    directive = issue()
    assert directive.deadline == T0 + timedelta(hours=12)
    do_reprint(task_of(directive, "yunyan"), user=user("yunyan_editor"),
               now=T0 + timedelta(hours=2))
    do_reprint(task_of(directive, "nanming"), user=user("nanming_editor"),
               now=T0 + timedelta(hours=13, minutes=30))
    do_reprint(task_of(directive, "jyj"), user=user("jyj_editor"),
               now=T0 + timedelta(hours=12))  # exactly at the deadline still counts

    # Five hours in: one done, the others still have seven hours.
    early = {r.task.site.site.root_page.slug: r
             for r in directive_report(directive, T0 + timedelta(hours=5)).rows}
    assert early["guanshanhu"].state == PENDING
    assert early["guanshanhu"].remaining == timedelta(hours=7)
    assert early["guanshanhu"].detail == "剩余 7小时00分"

    report = directive_report(directive, T0 + timedelta(hours=14))
    rows = {r.task.site.site.root_page.slug: r for r in report.rows}
    assert rows["yunyan"].state == ON_TIME
    assert rows["jyj"].state == ON_TIME
    assert rows["nanming"].state == LATE
    assert rows["nanming"].late_by == timedelta(hours=1, minutes=30)
    assert rows["nanming"].detail == "晚 1小时30分"
    assert rows["guanshanhu"].state == MISSING
    assert rows["guanshanhu"].overdue_by == timedelta(hours=2)
    assert dict(report.counts) == {ON_TIME: 2, LATE: 1, MISSING: 1}

    per_site = {s.site.site.root_page.slug: s for s in
                site_report(T0 + timedelta(hours=14), since=T0,
                                until=T0 + timedelta(days=1))}
    assert per_site["nanming"].counts[LATE] == 1 and per_site["guanshanhu"].counts[MISSING] == 1


def test_the_report_page_shows_each_sites_state_to_the_general_office_only(client, as_user):
    directive = issue(now=timezone.now() - timedelta(hours=14))
    do_reprint(task_of(directive, "yunyan"), user=user("yunyan_editor"),
               now=directive.issued_at + timedelta(hours=1))
    do_reprint(task_of(directive, "nanming"), user=user("nanming_editor"),
               now=directive.deadline + timedelta(minutes=45))
    as_user("admin")
    html = client.get(reverse("reprint:directive", args=[directive.pk]),
                      HTTP_HOST=ADMIN_HOST).content.decode()
    assert "按时转载" in html and "超时转载" in html and "晚 0小时45分" not in html
    assert "晚 45分" in html and "逾期未转载" in html
    as_user("yunyan_editor")
    url = reverse("reprint:directive", args=[directive.pk])
    assert client.get(url, HTTP_HOST=ADMIN_HOST).status_code == 403


def test_only_the_target_sites_editors_can_reprint(client, as_user):
    directive = issue()
    task = task_of(directive, "yunyan")
    url = reverse("reprint:task", args=[task.pk])
    target = default_reprint_column(profile("yunyan"))
    data = {"column": target.pk, "mode": ReprintMode.ALIAS}
    for outsider in ("nanming_editor", "yunyan_reviewer", "portal_editor", "admin"):
        as_user(outsider)
        assert client.get(url, HTTP_HOST=ADMIN_HOST).status_code == 403, outsider
        assert client.post(url, data, HTTP_HOST=ADMIN_HOST).status_code == 403, outsider
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING
    with pytest.raises(PermissionDenied):
        do_reprint(task, user=user("nanming_editor"))

    as_user("yunyan_editor")
    form = client.get(url, HTTP_HOST=ADMIN_HOST).content.decode()
    assert f'value="{target.pk}" selected' in form  # the column is preselected: one click
    response = client.post(url, data, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_by.username == "yunyan_editor"
    page = Page.objects.get(pk=task.reprinted_page_id)
    assert page.alias_of_id == directive.source_page_id and page.get_parent().pk == target.pk
    html = public_get(client, profile("yunyan"), path_on_site(page, profile("yunyan")))
    assert html.status_code == 200 and directive.title in html.content.decode()


def test_a_copy_is_the_sites_own_and_a_task_is_done_once():
    directive = issue()
    task = do_reprint(task_of(directive, "jyj"), user=user("jyj_editor"),
                      column=column(profile("jyj"), "notice"), mode=ReprintMode.COPY,
                      now=T0 + timedelta(hours=1))
    copy = task.reprinted_page.specific
    assert copy.alias_of_id is None and copy.live and copy.title == directive.title
    source = Page.objects.get(pk=directive.source_page_id).specific
    source.title = "已修改的标题"
    source.save_revision().publish()
    copy.refresh_from_db()
    assert copy.title == directive.title  # a copy no longer follows its source
    with pytest.raises(ValidationError, match="已于"):
        do_reprint(task, user=user("jyj_editor"))
    with pytest.raises(ValidationError, match="本网站"):
        do_reprint(task_of(directive, "nanming"), user=user("nanming_editor"),
                   column=column(profile("yunyan")))


def test_issuing_through_the_admin_sends_every_site_a_task(client, as_user,
                                                             django_capture_on_commit_callbacks):
    item = own_article(profile("portal"))
    url = reverse("reprint:issue", args=[item.pk])
    as_user("yunyan_editor")
    assert client.get(url, HTTP_HOST=ADMIN_HOST).status_code == 403
    as_user("portal_editor")
    sites = [profile("yunyan"), profile("jyj")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"sites": [s.pk for s in sites], "deadline_hours": "12",
                                     "note": "请全文转载"}, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 302
    directive = ReprintDirective.objects.get(source_page=item, issued_by__username="portal_editor")
    assert directive.deadline - directive.issued_at == timedelta(hours=12)
    assert {t.site_id for t in directive.tasks.all()} == {s.pk for s in sites}
    recipients = {address for message in mail.outbox for address in message.to}
    assert "yunyan_editor@example.gov.cn" in recipients
    assert "nanming_editor@example.gov.cn" not in recipients


@pytest.mark.parametrize("data, message", [
    ({"deadline_hours": "12"}, "须转载的网站"),
    ({"deadline_hours": "0", "sites": "__yunyan__"}, "转载时限"),
    ({"deadline_hours": "abc", "sites": "__yunyan__"}, "转载时限"),
])
def test_a_bad_directive_is_refused_naming_the_field(client, as_user, data, message):
    item = own_article(profile("portal"))
    if data.get("sites") == "__yunyan__":
        data = {**data, "sites": [profile("yunyan").pk]}
    as_user("admin")
    before = ReprintDirective.objects.count()
    response = client.post(reverse("reprint:issue", args=[item.pk]), data, HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200 and message in response.content.decode()
    assert ReprintDirective.objects.count() == before


def test_directives_come_from_the_portal_only():
    jyj_item = own_article(profile("jyj"))
    with pytest.raises(PermissionDenied):
        do_issue_directive(sites=[profile("yunyan")], user=user("jyj_editor"),
                           source_page=jyj_item, now=T0)
    with pytest.raises(ValidationError, match="源信息所在网站"):
        issue(keys=("portal", "yunyan"))


def test_late_tasks_alert_the_sites_editors_once(client, as_user,
                                                  django_capture_on_commit_callbacks):
    directive = issue(keys=("yunyan", "nanming"), now=T0)
    do_reprint(task_of(directive, "yunyan"), user=user("yunyan_editor"),
               now=T0 + timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert [t for t in do_alert_late_tasks(now=T0 + timedelta(hours=11))
                if t.directive_id == directive.pk] == []
        alerted = do_alert_late_tasks(now=T0 + timedelta(hours=12, minutes=10))
    ours = [t for t in alerted if t.directive_id == directive.pk]
    assert [t.site for t in ours] == [profile("nanming")]
    late_mail = [m for m in mail.outbox if directive.title in m.subject and "逾期" in m.subject]
    assert len(late_mail) == 1 and "nanming_editor@example.gov.cn" in late_mail[0].to
    assert "yunyan_editor@example.gov.cn" not in late_mail[0].to
    with django_capture_on_commit_callbacks(execute=True):
        again = do_alert_late_tasks(now=T0 + timedelta(hours=13))
    assert not [t for t in again if t.directive_id == directive.pk]

    # The in-admin notice: the dashboard lists the overdue task for its site's editors.
    as_user("nanming_editor")
    html = client.get("/admin/", HTTP_HOST=ADMIN_HOST).content.decode()
    assert "转载任务" in html and directive.title in html and "逾期未转载" in html


def test_the_demo_directive_has_sites_on_time_late_and_missing():
    closed = (ReprintDirective.objects.filter(deadline__lt=timezone.now())
              .order_by("issued_at").first())
    assert closed is not None
    rows = {r.task.site.site.root_page.slug: r.state
            for r in directive_report(closed, timezone.now()).rows}
    assert rows["nanming"] == LATE and rows["gaoxin"] == MISSING
    assert list(rows.values()).count(ON_TIME) >= 4
    assert ReprintTask.objects.filter(directive__deadline__gt=timezone.now(),
                                      status=TaskStatus.PENDING).exists()


def test_editors_see_their_own_tasks_in_the_menu_page(client, as_user):
    directive = issue(keys=("yunyan",), now=timezone.now())
    as_user("yunyan_editor")
    html = client.get(reverse("reprint:index"), HTTP_HOST=ADMIN_HOST).content.decode()
    assert directive.title in html and reverse("reprint:task", args=[
        task_of(directive, "yunyan").pk]) in html
    assert "各网站转载情况" not in html  # the cluster-wide report is the general office's
    as_user("admin")
    html = client.get(reverse("reprint:index"), HTTP_HOST=ADMIN_HOST).content.decode()
    assert "各网站转载情况" in html and directive.title in html


def test_an_important_policy_can_be_reprinted_as_alias_or_copy():
    from govweb.library.models import PolicyDocumentPage

    policy = (PolicyDocumentPage.objects.descendant_of(profile("portal").site.root_page).live()
              .filter(alias_of__isnull=True, is_important=True).order_by("path").first())
    directive = do_issue_directive(sites=[profile("yunyan"), profile("jyj")], user=user("admin"),
                                   source_page=policy, now=T0)
    alias_task = do_reprint(task_of(directive, "yunyan"), user=user("yunyan_editor"),
                            now=T0 + timedelta(hours=1))
    alias = PolicyDocumentPage.objects.get(pk=alias_task.reprinted_page_id)
    assert alias.alias_of_id == policy.pk and alias.index_number == policy.index_number
    copy_task = do_reprint(task_of(directive, "jyj"), user=user("jyj_editor"),
                           mode=ReprintMode.COPY, now=T0 + timedelta(hours=1))
    copy = PolicyDocumentPage.objects.get(pk=copy_task.reprinted_page_id)
    assert copy.live and copy.alias_of_id is None and copy.title == policy.title
    assert copy.index_number != policy.index_number  # a copy never reuses a number
    assert "转载件" in copy.interpretation_exemption_reason
