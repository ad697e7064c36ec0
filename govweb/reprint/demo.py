"""Demo data: 市教育局 pushes an item to the portal and 云岩区; the portal's reprint directives.

The older directive has passed its deadline: most sites reprinted on time, 南明区 late and
高新区 not at all. The newer one is still open, so editors find a task waiting for them.
Deterministic: the same sites, items and offsets every time, relative to `now`.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q

from govweb.library.models import ArticlePage, ColumnKind

from .actions import do_issue_directive, do_push_page, do_reprint
from .queries import columns_of, default_reprint_column

LATE_SITE, MISSING_SITE = "nanming", "gaoxin"
# Minutes after issue at which each other site reprinted the first directive.
ON_TIME_MINUTES = {"yunyan": 95, "guanshanhu": 210, "fgw": 48, "jyj": 130, "rsj": 305,
                   "dsj": 655}
LATE_BY_MINUTES = 205  # 南明区: 3 h 25 min after the deadline
NOTE = "请于12小时内在本网站“政策文件”或“通知公告”栏目全文转载，并保留来源。"
OPEN_DIRECTIVE_DONE = {"yunyan": 40, "fgw": 25}


def _items(profile, kinds):
    """The site's own published articles in columns of the given kinds, newest first."""
    in_columns = Q(pk__in=[])
    for column in columns_of(profile, kinds):
        in_columns |= Q(path__startswith=column.path, depth=column.depth + 1)
    return (ArticlePage.objects.live().filter(alias_of__isnull=True).filter(in_columns)
            .order_by("-first_published_at", "-pk"))


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _push_column(profile):
    for kind in (ColumnKind.NEWS, ColumnKind.NOTICE, ColumnKind.POLICY):
        column = columns_of(profile, [kind]).first()
        if column is not None:
            return column
    return None


def load(profiles, now):
    portal = profiles["portal"]
    others = [p for key, p in profiles.items() if key != "portal"]
    admin = _user("admin")
    portal_editor = _user("portal_editor") or admin

    # 推送: the education bureau's latest item appears on the portal and on 云岩区.
    jyj_item = _items(profiles["jyj"], [ColumnKind.NEWS, ColumnKind.NOTICE,
                                         ColumnKind.POLICY]).first()
    if jyj_item is not None:
        pusher = _user("jyj_editor") or admin
        for key in ("portal", "yunyan"):
            column = _push_column(profiles[key])
            if column is not None:
                at = min(jyj_item.first_published_at + timedelta(minutes=50), now)
                do_push_page(jyj_item, column, user=pusher, now=at)

    # An important item: policy documents first, then notices, then news.
    candidates = [item for kind in (ColumnKind.POLICY, ColumnKind.NOTICE, ColumnKind.NEWS)
                  for item in _items(portal, [kind])]
    # 转载指令 1: issued at least 14 h ago, so its 12-hour deadline has passed.
    closed = next((p for p in candidates if p.first_published_at <= now - timedelta(hours=14)),
                  None)
    if closed is not None:
        issued = closed.first_published_at + timedelta(minutes=30)
        directive = do_issue_directive(sites=others, user=portal_editor, source_page=closed,
                                       now=issued, note=NOTE)
        tasks = {t.site_id: t for t in directive.tasks.all()}
        for key, profile in profiles.items():
            if key == "portal" or key == MISSING_SITE:
                continue
            if key == LATE_SITE:
                done = min(directive.deadline + timedelta(minutes=LATE_BY_MINUTES),
                           now - timedelta(minutes=5))
            else:
                done = issued + timedelta(minutes=ON_TIME_MINUTES.get(key, 120))
            editor = _user(f"{key}_editor")
            if editor is not None and default_reprint_column(profile) is not None:
                do_reprint(tasks[profile.pk], user=editor, now=done)

    # 转载指令 2: issued 2 hours ago, still open.
    fresh = next((p for p in candidates
                  if p != closed and p.first_published_at <= now - timedelta(hours=2)), None)
    if fresh is not None:
        issued = now - timedelta(hours=2)
        directive = do_issue_directive(sites=others, user=portal_editor, source_page=fresh,
                                       now=issued, note=NOTE)
        tasks = {t.site_id: t for t in directive.tasks.all()}
        for key, minutes in OPEN_DIRECTIVE_DONE.items():
            editor = _user(f"{key}_editor")
            if editor is not None and default_reprint_column(profiles[key]) is not None:
                do_reprint(tasks[profiles[key].pk], user=editor,
                           now=issued + timedelta(minutes=minutes))
