"""Writes: push an item to other sites, issue and carry out reprint directives, alert the late.

Every function takes `now` so that deadlines can be tested with a fixed clock. Permission rules
live in `queries`; they are enforced here, so no view can forget them.
"""

import json
import logging
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import nh3
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.actions.copy_page import CopyPageAction
from wagtail.actions.create_alias import CreatePageAliasAction
from wagtail.actions.delete_page import DeletePageAction
from wagtail.log_actions import log
from wagtail.models import Page

from govweb.library.models import ArticlePage, ColumnPage

from .models import (
    DEFAULT_DEADLINE_HOURS,
    FeedFormat,
    PushRecord,
    ReprintDirective,
    ReprintMode,
    ReprintTask,
    TaskStatus,
    UpstreamEntry,
    UpstreamFeed,
)
from .queries import (
    ITEM_COLUMN_KINDS,
    default_reprint_column,
    is_item_page,
    is_site_editor,
    original_of,
    push_target_sites,
    site_of_page,
)

logger = logging.getLogger("govweb.reprint")

FEED_MAX_BYTES = 5 * 1024 * 1024
FEED_TIMEOUT_SECONDS = 15
# Tags kept from an upstream entry's HTML; everything else (scripts, styles, iframes) goes.
ENTRY_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "h2", "h3", "h4",
              "blockquote"}


def free_slug(parent, slug):
    """A slug not yet used among parent's children (aliases and copies need their own)."""
    slug = (slug or "item")[:200]
    taken = set(parent.get_children().values_list("slug", flat=True))
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


def _column(page):
    page = page.specific
    if not isinstance(page, ColumnPage):
        raise ValidationError({"target_column": _("目标必须是栏目。")})
    return page


def _create_alias(source, column, user):
    # Our own rules were checked; the target site's editor has no rights on the source page,
    # which Wagtail's own alias check would require.
    return CreatePageAliasAction(
        source, parent=column, update_slug=free_slug(column, source.slug), user=user,
    ).execute(skip_permission_checks=True)


def _notify(messages):
    """Send mail once the transaction commits; a mail failure never undoes the work."""
    messages = [m for m in messages if m[3]]
    if not messages:
        return

    def send():
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:
            logger.exception("reprint: sending %d notice(s) failed", len(messages))

    transaction.on_commit(send)


def _editor_addresses(profile):
    if not profile.editors_group_id:
        return []
    return list(get_user_model().objects.filter(
        groups=profile.editors_group_id, is_active=True,
    ).exclude(email="").values_list("email", flat=True))


def _from_email():
    from django.conf import settings

    return settings.DEFAULT_FROM_EMAIL


# --- pushing -------------------------------------------------------------------------------

@transaction.atomic
def do_push_page(source_page, target_column, *, user, now=None):
    """推送: show a published item in a column of another site, kept in sync via an alias."""
    now = now or timezone.now()
    source = original_of(source_page).specific
    column = _column(target_column)
    if not is_item_page(source):
        raise ValidationError({"source_page": _("只能推送栏目中的信息。")})
    if not source.live:
        raise ValidationError({"source_page": _("只能推送已发布的信息。")})
    source_site = site_of_page(source)
    target_site = site_of_page(column)
    if source_site is None or target_site is None:
        raise ValidationError({"target_column": _("栏目不属于任何网站。")})
    if target_site.pk == source_site.pk:
        raise ValidationError({"target_column": _("不能推送到本网站的栏目。")})
    if not push_target_sites(user, source_site).filter(pk=target_site.pk).exists():
        raise PermissionDenied(_("您无权向“%(site)s”推送信息。") % {"site": target_site})
    if column.kind not in ITEM_COLUMN_KINDS or not column.live:
        raise ValidationError({"target_column": _("“%(c)s”栏目不接收推送。") % {"c": column.title}})
    if PushRecord.objects.filter(source_page=source, target_column=column,
                                 withdrawn_at__isnull=True).exists():
        raise ValidationError({"target_column": _("该信息已推送到“%(c)s”。") % {"c": column.title}})
    alias = _create_alias(source, column, user)
    try:
        with transaction.atomic():
            record = PushRecord.objects.create(
                source_page=source, source_title=source.title, source_site=source_site,
                target_site=target_site, target_column=column, alias_page=alias,
                source_published_at=source.first_published_at, appeared_at=now,
                pushed_at=now, pushed_by=user,
            )
    except IntegrityError as error:  # a concurrent push of the same item to the same column
        raise ValidationError({"target_column": _("该信息已推送到此栏目。")}) from error
    log(instance=source, action="reprint.push", user=user, data={
        "target_site": target_site.organisation, "target_column": column.title,
        "alias_id": alias.pk,
    })
    return record


@transaction.atomic
def do_withdraw_push(record, *, user, now=None):
    """撤回推送: take the alias off the target site (source or target editors, or admins)."""
    now = now or timezone.now()
    record = PushRecord.objects.select_for_update().get(pk=record.pk)
    allowed = user.is_superuser or any(
        site is not None and is_site_editor(user, site)
        for site in (record.source_site, record.target_site)
    )
    if not allowed:
        raise PermissionDenied(_("您无权撤回这条推送。"))
    if record.withdrawn_at:
        raise ValidationError(_("这条推送已撤回。"))
    alias = Page.objects.filter(pk=record.alias_page_id).first()
    if alias is not None:
        DeletePageAction(alias, user=user).execute(skip_permission_checks=True)
    record.withdrawn_at, record.withdrawn_by = now, user
    record.save(update_fields=["withdrawn_at", "withdrawn_by"])
    log(instance=record, action="reprint.withdraw", user=user)
    return record


# --- directives ----------------------------------------------------------------------------

@transaction.atomic
def do_issue_directive(*, sites, user=None, source_page=None, source_entry=None, now=None,
                       deadline_hours=DEFAULT_DEADLINE_HOURS, note=""):
    """下发转载指令: each site gets a task due `deadline_hours` (12 by default) from now."""
    from .queries import can_issue_directive

    now = now or timezone.now()
    if (source_page is None) == (source_entry is None):
        raise ValidationError(_("转载指令必须指定一条源信息或一条上级网站信息。"))
    if not 1 <= int(deadline_hours) <= 72:
        raise ValidationError({"deadline_hours": _("转载时限应在1至72小时之间。")})
    sites = list(sites)
    if not sites:
        raise ValidationError({"sites": _("请至少选择一个须转载的网站。")})
    if source_page is not None:
        source = original_of(source_page).specific
        if not is_item_page(source) or not source.live:
            raise ValidationError({"source_page": _("只能对已发布的信息下发转载指令。")})
        if user is not None and not can_issue_directive(user, source):
            raise PermissionDenied(_("只有门户网站编辑或站群管理员可以下发转载指令。"))
        source_site = site_of_page(source)
        if source_site is not None and any(s.pk == source_site.pk for s in sites):
            raise ValidationError({"sites": _("源信息所在网站无需转载。")})
        title, source_name = source.title, source_site.organisation if source_site else ""
    else:
        source, title, source_name = None, source_entry.title, source_entry.feed.name
    directive = ReprintDirective.objects.create(
        title=title[:255], source_page=source, source_entry=source_entry,
        source_name=source_name, issued_at=now, deadline=now + timedelta(hours=int(deadline_hours)),
        issued_by=user, note=note,
    )
    ReprintTask.objects.bulk_create([ReprintTask(directive=directive, site=s) for s in sites])
    log(instance=directive, action="reprint.issue", user=user,
        data={"sites": [s.organisation for s in sites]})
    deadline_text = timezone.localtime(directive.deadline).strftime("%Y-%m-%d %H:%M")
    _notify([(
        _("【转载任务】%(t)s") % {"t": title},
        _("%(site)s：\n\n%(source)s发布了《%(t)s》，请于 %(d)s 前在本网站转载。\n%(note)s\n"
          "请登录网站管理后台“转载任务”办理。") % {
            "site": s.organisation, "source": source_name, "t": title, "d": deadline_text,
            "note": note},
        _from_email(), _editor_addresses(s),
    ) for s in sites])
    return directive


def _article_from_entry(entry, column, user, now):
    """A feed entry becomes an article of the site (a copy: upstream pages are not in our tree)."""
    paragraphs = []
    if entry.content:
        paragraphs.append(("paragraph", entry.content))
    elif entry.summary:
        paragraphs.append(("paragraph", f"<p>{escape(entry.summary)}</p>"))
    if entry.link:
        paragraphs.append(("paragraph", '<p>{}<a href="{}">{}</a></p>'.format(
            escape(_("原文链接：")), escape(entry.link), escape(entry.link))))
    slug = slugify(entry.title, allow_unicode=True)[:60] or f"reprint-{entry.pk}"
    article = ArticlePage(
        title=entry.title[:255], slug=free_slug(column, slug), pub_date=now,
        source=entry.feed.name[:100], summary=strip_tags(entry.summary)[:500],
        body=paragraphs, owner=user, live=False,
    )
    column.add_child(instance=article)
    article.save_revision(user=user, log_action=True).publish(user=user)
    return article


@transaction.atomic
def do_reprint(task, *, user, column=None, mode=ReprintMode.ALIAS, now=None):
    """一键转载: the site's editor republishes the directive's item in one of the site's columns."""
    now = now or timezone.now()
    task = (ReprintTask.objects.select_for_update(of=("self",))
            .select_related("directive__source_entry__feed", "site__site__root_page").get(pk=task.pk))
    if not is_site_editor(user, task.site):
        raise PermissionDenied(_("只有“%(site)s”的编辑可以办理该网站的转载任务。")
                               % {"site": task.site})
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("该任务已于 %(t)s 完成转载。") % {
            "t": timezone.localtime(task.done_at).strftime("%Y-%m-%d %H:%M")})
    column = column if column is not None else default_reprint_column(task.site)
    if column is None:
        raise ValidationError({"column": _("本网站没有可用于转载的栏目，请先开设栏目。")})
    column = _column(column)
    column_site = site_of_page(column)
    if column_site is None or column_site.pk != task.site_id or column.kind not in ITEM_COLUMN_KINDS:
        raise ValidationError({"column": _("请选择本网站的信息栏目。")})
    directive = task.directive
    if directive.source_page_id:
        source = Page.objects.filter(pk=directive.source_page_id).first()
        if source is None or not original_of(source).live:
            raise ValidationError(_("源信息已撤下，无法转载。"))
        source = original_of(source).specific
        if mode == ReprintMode.COPY:
            attrs = {"slug": free_slug(column, source.slug)}
            if getattr(source, "is_important", False) and not getattr(
                    source, "interpretation_exemption_reason", "").strip():
                # 谁起草，谁解读: the interpretation belongs to the original; the reprinting
                # site records why its copy carries none.
                attrs["interpretation_exemption_reason"] = _(
                    "转载件：解读材料随原文件发布（%(source)s《%(title)s》）。") % {
                    "source": directive.source_name, "title": source.title}
            page = CopyPageAction(
                source, to=column, update_attrs=attrs,
                copy_revisions=False, keep_live=True, user=user,
            ).execute(skip_permission_checks=True)
        else:
            mode = ReprintMode.ALIAS
            page = _create_alias(source, column, user)
    elif directive.source_entry_id:
        mode = ReprintMode.COPY
        page = _article_from_entry(directive.source_entry, column, user, now)
    else:
        raise ValidationError(_("源信息已删除，无法转载。"))
    task.status, task.done_at, task.done_by = TaskStatus.DONE, now, user
    task.mode, task.reprinted_page = mode, page
    task.save(update_fields=["status", "done_at", "done_by", "mode", "reprinted_page"])
    log(instance=task, action="reprint.reprint", user=user,
        data={"site": task.site.organisation, "page_id": page.pk, "mode": mode})
    return task


@transaction.atomic
def do_alert_late_tasks(now=None):
    """Mail the editors of every site that missed a deadline, once per task; returns the tasks."""
    from .queries import overdue_unalerted_tasks

    now = now or timezone.now()
    alerted, messages = [], []
    for task in overdue_unalerted_tasks(now):
        # The conditional update makes two schedulers running at once alert only once.
        if not ReprintTask.objects.filter(pk=task.pk, alerted_at__isnull=True).update(alerted_at=now):
            continue
        task.alerted_at = now
        alerted.append(task)
        overdue = now - task.directive.deadline
        hours = int(overdue.total_seconds() // 3600)
        messages.append((
            _("【转载逾期】%(t)s") % {"t": task.directive.title},
            _("%(site)s：\n\n%(source)s要求转载的《%(t)s》已于 %(d)s 到期（已逾期约%(h)d小时），"
              "本网站尚未转载。请立即登录网站管理后台“转载任务”办理。") % {
                "site": task.site.organisation, "source": task.directive.source_name,
                "t": task.directive.title, "h": hours,
                "d": timezone.localtime(task.directive.deadline).strftime("%Y-%m-%d %H:%M")},
            _from_email(), _editor_addresses(task.site),
        ))
    _notify(messages)
    return alerted


# --- upstream feeds ------------------------------------------------------------------------

def fetch_url(url):
    """GET a feed (http/https only, size-capped, short timeout)."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(_("订阅地址必须以 http:// 或 https:// 开头。"))
    request = urllib.request.Request(url, headers={"User-Agent": "govweb-reprint/1.0"})
    with urllib.request.urlopen(request, timeout=FEED_TIMEOUT_SECONDS) as response:  # noqa: S310
        data = response.read(FEED_MAX_BYTES + 1)
    if len(data) > FEED_MAX_BYTES:
        raise ValueError(_("订阅内容超过5MB。"))
    return data


def _clean_html(html):
    return nh3.clean(html or "", tags=ENTRY_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}).strip()


def _entry_html(item):
    """The entry's body as clean HTML: its content, else its (often HTML) RSS description."""
    html = _clean_html(item["content"] or item["summary"])
    if html and not html.startswith("<"):
        html = f"<p>{html}</p>"
    return html


def _aware(value):
    if value is None:
        return None
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def _parse_json_date(text):
    if not text:
        return None
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        try:
            return _aware(parsedate_to_datetime(text))
        except (TypeError, ValueError):
            return None


def parse_feed(data, fmt):
    """Entries of an RSS/Atom (feedparser) or JSON Feed 1.1 document, as plain dicts.

    JSON: {"items": [{"id", "title", "url", "summary", "content_html" | "content_text",
    "date_published" (RFC 3339)}]} — see docs/subsystems/reprint.md.
    """
    entries = []
    if fmt == FeedFormat.JSON:
        document = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
        for item in document.get("items", []):
            content = item.get("content_html") or ""
            if not content and item.get("content_text"):
                content = "".join(f"<p>{escape(p)}</p>" for p in item["content_text"].splitlines()
                                  if p.strip())
            entries.append({
                "guid": str(item.get("id") or item.get("url") or ""),
                "title": item.get("title") or "", "link": item.get("url") or "",
                "summary": item.get("summary") or "", "content": content,
                "published_at": _parse_json_date(item.get("date_published")),
            })
    else:
        import feedparser

        parsed = feedparser.parse(data)
        if parsed.bozo and not parsed.entries:
            raise ValueError(_("无法解析订阅内容：%(e)s") % {"e": parsed.get("bozo_exception")})
        for item in parsed.entries:
            struct = item.get("published_parsed") or item.get("updated_parsed")
            published = datetime(*struct[:6], tzinfo=UTC) if struct else None
            content = item["content"][0].get("value", "") if item.get("content") else ""
            entries.append({
                "guid": item.get("id") or item.get("link") or item.get("title") or "",
                "title": item.get("title") or "", "link": item.get("link") or "",
                "summary": item.get("summary") or "", "content": content,
                "published_at": published,
            })
    return entries


def do_fetch_feed(feed, *, now=None, fetch=fetch_url):
    """Read a feed, record new entries and issue a directive for each (R12.1).

    Returns (new entries, directives). A failure is recorded on the feed, never raised: one
    unreachable upstream portal must not stop the others.
    """
    now = now or timezone.now()
    try:
        items = parse_feed(fetch(feed.url), feed.format)
    except Exception as error:  # network, HTTP or parse errors alike
        logger.warning("reprint: feed %s failed: %s", feed.url, error)
        UpstreamFeed.objects.filter(pk=feed.pk).update(
            last_fetched_at=now, last_status=(_("失败：%(e)s") % {"e": error})[:300])
        return [], []
    first_fetch = feed.last_fetched_at is None
    sites = list(feed.target_sites.filter(status="online"))
    new_entries, directives = [], []
    with transaction.atomic():
        known = set(feed.entries.values_list("guid", flat=True))
        for item in items:
            guid = item["guid"][:500]
            title = strip_tags(item["title"]).strip()[:255]
            if not guid or not title or guid in known:
                continue
            known.add(guid)
            link = item["link"] if item["link"].lower().startswith(("http://", "https://")) else ""
            entry = UpstreamEntry.objects.create(
                feed=feed, guid=guid, title=title, link=link[:500],
                summary=strip_tags(item["summary"]).strip(), content=_entry_html(item),
                published_at=item["published_at"], fetched_at=now,
            )
            new_entries.append(entry)
            if sites and (feed.issue_for_existing or not first_fetch):
                directives.append(do_issue_directive(
                    sites=sites, source_entry=entry, now=now,
                    deadline_hours=feed.deadline_hours,
                ))
        feed.last_fetched_at = now
        feed.last_status = _("成功：新条目%(n)d条，下发指令%(d)d条") % {
            "n": len(new_entries), "d": len(directives)}
        feed.save(update_fields=["last_fetched_at", "last_status"])
    return new_entries, directives


def do_fetch_all_feeds(now=None, fetch=fetch_url):
    total = 0
    for feed in UpstreamFeed.objects.filter(active=True):
        entries, _directives = do_fetch_feed(feed, now=now, fetch=fetch)
        total += len(entries)
    return total
