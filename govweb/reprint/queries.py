"""Reads: who may push where, whose task is whose, and the reprint report (on time / late / missing)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from wagtail.models import Page

from govweb.cluster.models import SiteCategory, SiteProfile, SiteStatus
from govweb.library.models import ColumnKind, ColumnPage, SiteHomePage

from .models import PushRecord, ReprintDirective, ReprintTask, TaskStatus

# Columns that carry items; link, service and interaction columns are not push targets.
ITEM_COLUMN_KINDS = [ColumnKind.NEWS, ColumnKind.NOTICE, ColumnKind.POLICY,
                     ColumnKind.DISCLOSURE, ColumnKind.TOPIC]
# Where a reprint lands by default, in order of preference.
REPRINT_COLUMN_PREFERENCE = [ColumnKind.POLICY, ColumnKind.NOTICE, ColumnKind.NEWS,
                             ColumnKind.DISCLOSURE, ColumnKind.TOPIC]


# --- sites and pages -----------------------------------------------------------------------

def site_of_page(page):
    """The SiteProfile whose tree holds the page (None outside every site)."""
    for profile in SiteProfile.objects.select_related("site__root_page"):
        root = profile.site.root_page
        if page.path.startswith(root.path):
            return profile
    return None


def is_site_editor(user, profile):
    """Members of "<site> editors" edit, push and reprint for that site — nobody else does."""
    if not (user and user.is_authenticated and user.is_active and profile.editors_group_id):
        return False
    return user.groups.filter(pk=profile.editors_group_id).exists()


def editor_sites(user):
    """The sites whose editors group the user belongs to."""
    if not (user and user.is_authenticated):
        return SiteProfile.objects.none()
    return SiteProfile.objects.filter(editors_group__in=user.groups.all())


def original_of(page):
    """Follow an alias chain back to the page that is actually edited."""
    seen = set()
    while page.alias_of_id and page.pk not in seen:
        seen.add(page.pk)
        page = page.alias_of
    return page


def is_item_page(page):
    """An item (信息) is any non-column page placed in a column: articles, policies, ..."""
    if isinstance(page.specific_deferred, (ColumnPage, SiteHomePage)) or page.depth < 3:
        return False
    parent = page.get_parent()
    return parent is not None and issubclass(parent.specific_class, ColumnPage)


# --- pushing -------------------------------------------------------------------------------

def push_target_sites(user, source_site):
    """Sites whose columns `user` may push an item of `source_site` into.

    Cluster administrators: every other online site. Otherwise only editors of the source site,
    and then: the portal and municipal departments reach every site (the portal leads; a
    department is the competent authority for its field across all districts); a district or
    zone site reaches the portal, its parent and its own children.
    """
    others = SiteProfile.objects.filter(status=SiteStatus.ONLINE).exclude(pk=source_site.pk)
    if user.is_superuser:
        return others
    if not is_site_editor(user, source_site):
        return SiteProfile.objects.none()
    if source_site.category in (SiteCategory.PORTAL, SiteCategory.DEPARTMENT):
        return others
    reach = Q(category=SiteCategory.PORTAL) | Q(parent=source_site)
    if source_site.parent_id:
        reach |= Q(pk=source_site.parent_id)
    return others.filter(reach)


def columns_of(profile, kinds=ITEM_COLUMN_KINDS):
    """The live item columns of a site, in tree order."""
    return (ColumnPage.objects.descendant_of(profile.site.root_page).live()
            .filter(kind__in=kinds).order_by("path"))


def push_target_columns(user, source_page):
    """[(site, [columns])] the user may push source_page into (its own site excluded)."""
    source_site = site_of_page(source_page)
    if source_site is None:
        return []
    already = set(PushRecord.objects.filter(
        source_page=original_of(source_page), withdrawn_at__isnull=True,
    ).values_list("target_column_id", flat=True))
    result = []
    for profile in push_target_sites(user, source_site).select_related("site__root_page"):
        columns = [c for c in columns_of(profile) if c.pk not in already]
        if columns:
            result.append((profile, columns))
    return result


def pushes_of(page):
    return (PushRecord.objects.filter(source_page=original_of(page))
            .select_related("target_site", "target_column", "alias_page", "pushed_by"))


def push_records_for(user):
    """Cluster administrators see every push; an editor those from or to their sites."""
    records = PushRecord.objects.select_related(
        "source_site", "target_site", "target_column", "alias_page", "pushed_by",
    )
    if user.is_superuser:
        return records
    sites = editor_sites(user)
    return records.filter(Q(source_site__in=sites) | Q(target_site__in=sites))


# --- reprint directives --------------------------------------------------------------------

def can_issue_directive(user, source_page):
    """Directives come from the portal: its editors, or the cluster administrators."""
    if user.is_superuser:
        return True
    site = site_of_page(source_page)
    return site is not None and site.category == SiteCategory.PORTAL and is_site_editor(user, site)


def default_reprint_column(profile):
    """The column a site's reprints go to unless its editor picks another."""
    columns = list(columns_of(profile, REPRINT_COLUMN_PREFERENCE))
    for kind in REPRINT_COLUMN_PREFERENCE:
        for column in columns:
            if column.kind == kind:
                return column
    return None


def tasks_for(user):
    """The reprint tasks a user handles: those of the sites they edit."""
    return (ReprintTask.objects.filter(site__in=editor_sites(user))
            .select_related("directive", "site", "reprinted_page"))


# --- the report ----------------------------------------------------------------------------

ON_TIME, LATE, MISSING, PENDING = "on_time", "late", "missing", "pending"
STATE_LABELS = {ON_TIME: "按时转载", LATE: "超时转载", MISSING: "逾期未转载", PENDING: "待转载"}


def format_duration(delta):
    """3小时05分, 2天4小时, 12分 — how editors say durations."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)d天%(h)d小时") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d小时%(m)02d分") % {"h": hours, "m": minutes}
    return _("%(m)d分") % {"m": minutes}


@dataclass
class TaskState:
    """Where one site stands on one directive at `now`."""

    task: ReprintTask
    state: str
    late_by: timedelta | None = None      # late: done after the deadline by this much
    overdue_by: timedelta | None = None   # missing: deadline passed this long ago
    remaining: timedelta | None = None    # pending: time left

    @property
    def label(self):
        return _(STATE_LABELS[self.state])

    @property
    def detail(self):
        if self.state == LATE:
            return _("晚 %(d)s") % {"d": format_duration(self.late_by)}
        if self.state == MISSING:
            return _("已逾期 %(d)s") % {"d": format_duration(self.overdue_by)}
        if self.state == PENDING:
            return _("剩余 %(d)s") % {"d": format_duration(self.remaining)}
        return ""


def task_state(task, now, deadline=None):
    deadline = deadline or task.directive.deadline
    if task.status == TaskStatus.DONE and task.done_at is not None:
        if task.done_at <= deadline:
            return TaskState(task, ON_TIME)
        return TaskState(task, LATE, late_by=task.done_at - deadline)
    if now > deadline:
        return TaskState(task, MISSING, overdue_by=now - deadline)
    return TaskState(task, PENDING, remaining=deadline - now)


@dataclass
class DirectiveReport:
    directive: ReprintDirective
    rows: list
    counts: Counter = field(default_factory=Counter)


def directive_report(directive, now):
    """Per target site: on time / late (by how long) / missing / pending, at `now`."""
    tasks = directive.tasks.select_related("site", "done_by", "reprinted_page").order_by("site_id")
    rows = [task_state(task, now, directive.deadline) for task in tasks]
    return DirectiveReport(directive, rows, Counter(row.state for row in rows))


def _state_counts(now, deadline="directive__deadline"):
    """Count(…) per report state, computed by the database (the report spans thousands)."""
    done, pending = Q(status=TaskStatus.DONE), Q(status=TaskStatus.PENDING)
    return {
        ON_TIME: Count("pk", filter=done & Q(done_at__lte=F(deadline))),
        LATE: Count("pk", filter=done & Q(done_at__gt=F(deadline))),
        MISSING: Count("pk", filter=pending & Q(**{f"{deadline}__lt": now})),
        PENDING: Count("pk", filter=pending & Q(**{f"{deadline}__gte": now})),
    }


def directive_summaries(now, directives=None):
    """[(directive, Counter of states)] for the directive index, counted in one query."""
    directives = list(directives if directives is not None else ReprintDirective.objects.all())
    counts = {d.pk: Counter() for d in directives}
    rows = (ReprintTask.objects.filter(directive__in=directives).values("directive_id")
            .annotate(**_state_counts(now)))
    for row in rows:
        counts[row["directive_id"]] = Counter({k: row[k] for k in STATE_LABELS if row[k]})
    return [(d, counts[d.pk]) for d in directives]


@dataclass
class SiteSummary:
    site: SiteProfile
    counts: Counter

    @property
    def total(self):
        return sum(self.counts.values())


def site_report(now, since=None, until=None, sites=None):
    """Per site, over directives issued in [since, until): how many on time, late, missing, pending."""
    tasks = ReprintTask.objects.all()
    if since is not None:
        tasks = tasks.filter(directive__issued_at__gte=since)
    if until is not None:
        tasks = tasks.filter(directive__issued_at__lt=until)
    if sites is not None:
        tasks = tasks.filter(site__in=sites)
    rows = tasks.values("site_id").annotate(**_state_counts(now)).order_by("site_id")
    profiles = SiteProfile.objects.in_bulk([row["site_id"] for row in rows])
    return [SiteSummary(profiles[row["site_id"]],
                        Counter({k: row[k] for k in STATE_LABELS if row[k]})) for row in rows]


def overdue_unalerted_tasks(now):
    """Pending tasks past their deadline whose site has not been alerted yet."""
    return (ReprintTask.objects.filter(status=TaskStatus.PENDING, directive__deadline__lt=now,
                                       alerted_at__isnull=True)
            .select_related("directive", "site__editors_group"))


def source_page_of(directive):
    """The live item a directive points to (None for feed entries or a vanished page)."""
    if directive.source_page_id is None:
        return None
    return Page.objects.filter(pk=directive.source_page_id).first()
