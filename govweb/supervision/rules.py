"""The checks of daily reading of the web (读网规则), one small rule each.

A rule's `check(site, ctx)` returns a list of `Draft` findings, or None when the data it needs
is not available on this installation (the run records the rule as skipped). Thresholds come
from `conf.rule_conf(code)` (defaults from NATIONAL.md); a threshold is reached at or above it.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.html import strip_tags

from . import providers
from .conf import rule_conf
from .models import ExpressionKind, ForbiddenExpression, ReachabilitySample, Severity


@dataclass
class Draft:
    """A finding as a rule sees it, before it is matched against the open ones."""

    rule: str
    severity: str
    key: str
    summary: str
    url: str = ""
    excerpt: str = ""
    value: float | None = None


class Context:
    """What one run shares between rules: the clock, the site data, the crawl results."""

    def __init__(self, now, crawls=None):
        self.now = now
        self.today = timezone.localdate(now)
        self.crawls = crawls if crawls is not None else {}
        self._columns = {}

    def columns(self, site):
        """[(column, items, last_pub_date, has_other_children)] for a site's live columns."""
        if site.pk not in self._columns:
            self._columns[site.pk] = _site_columns(site)
        return self._columns[site.pk]


def _site_columns(site):
    from wagtail.models import Page

    from govweb.library.models import ColumnPage, LibraryItemPage

    root = site.site.root_page
    stats = {row["column_id"]: row for row in (
        LibraryItemPage.objects.filter(home_id=root.pk).live().order_by().values("column_id")
        .annotate(n=Count("pk"), last=Max("pub_date")))}
    # Non-item pages are few (columns, disclosure pages): count them per parent in Python.
    other_children = {}
    for path in (Page.objects.descendant_of(root).live().filter(depth__gte=4)
                 .exclude(pk__in=LibraryItemPage.objects.filter(home_id=root.pk).values("pk"))
                 .values_list("path", flat=True)):
        parent = path[: -Page.steplen]
        other_children[parent] = other_children.get(parent, 0) + 1
    result = []
    for column in ColumnPage.objects.descendant_of(root).live().order_by("path"):
        row = stats.get(column.pk, {"n": 0, "last": None})
        result.append((column, row["n"], row["last"], other_children.get(column.path, 0)))
    return result


def _days(delta):
    return delta.total_seconds() / 86400


def _fmt_days(value):
    return f"{value:.1f}".rstrip("0").rstrip(".")


class Rule:
    code = ""
    label = ""

    @property
    def conf(self):
        return rule_conf(self.code)

    def check(self, site, ctx):  # pragma: no cover - interface
        raise NotImplementedError

    def draft(self, severity, key, summary, **kwargs):
        return Draft(self.code, severity, str(key), summary[:300], **kwargs)


class HomeReachability(Rule):
    """首页可访问: over `window_days`, the share of samples not loaded within the limit."""

    code, label = "home_reachability", "首页无法访问"

    def check(self, site, ctx):
        conf = self.conf
        since = ctx.now - timedelta(days=conf["window_days"])
        samples = ReachabilitySample.objects.filter(site=site, at__gt=since, at__lte=ctx.now)
        total = samples.count()
        if total < conf["min_samples"]:
            return []
        failed = samples.filter(ok=False).count()
        share = failed / total
        if share >= conf["veto_share"]:
            severity = Severity.VETO
        elif share > conf["warn_share"]:
            severity = Severity.WARNING
        else:
            return []
        return [self.draft(severity, "home", f"首页近{conf['window_days']}天有{share:.1%}的访问未能在"
                           f"{conf['timeout_seconds']:g}秒内打开（{failed}/{total}）",
                           url=site.site.root_url + "/", value=round(share, 4))]


class HomeUpdate(Rule):
    """首页不更新: the newest item shown on the home page (or the home page itself)."""

    code, label = "home_update", "首页长期未更新"

    def check(self, site, ctx):
        conf = self.conf
        home = site.site.root_page
        last = home.last_published_at
        for column, _n, column_last, _other in ctx.columns(site):
            if column.show_on_home and column.depth == home.depth + 1 and column_last:
                last = max(last, column_last) if last else column_last
        if last is None:
            return [self.draft(Severity.VETO, "home", "首页从未发布信息", url=site.site.root_url + "/")]
        age = _days(ctx.now - last)
        if age >= conf["veto_days"]:
            severity = Severity.VETO
        elif age >= conf["warn_days"]:
            severity = Severity.WARNING
        else:
            return []
        return [self.draft(severity, "home", f"首页已{_fmt_days(age)}天未更新（最近更新 "
                           f"{timezone.localtime(last):%Y-%m-%d %H:%M}）",
                           url=site.site.root_url + "/", value=round(age, 2))]


class ColumnUpdate(Rule):
    """栏目不更新: each column against its window; the count of stale columns per site."""

    code, label = "column_update", "栏目未按时更新"

    def check(self, site, ctx):
        from govweb.library.models import ColumnKind

        conf = self.conf
        drafts, stale, long_stale = [], 0, 0
        for column, items, last, _other in ctx.columns(site):
            if column.kind == ColumnKind.LINK or not items or last is None:
                continue  # link columns, containers and empty columns (their own rule)
            if column.kind == ColumnKind.TOPIC and column.topic_ends_on and column.topic_ends_on < ctx.today:
                continue  # a finished special topic is archived, not stale
            window = column.expected_update_days
            lead = conf["lead_days"].get(column.kind, conf["lead_days"].get("default", 0))
            age = _days(ctx.now - last)
            url = site.site.root_url + "/" + column.url_path[len(site.site.root_page.url_path):]
            if age >= window:
                stale += 1
                severity = Severity.PROBLEM
                summary = f"栏目“{column.title}”已{_fmt_days(age)}天未更新，超过{window}天的更新要求"
            elif age >= window - lead:
                severity = Severity.WARNING
                summary = f"栏目“{column.title}”已{_fmt_days(age)}天未更新，{_fmt_days(window - age)}天后超期"
            else:
                continue
            if age >= conf["long_days"]:
                long_stale += 1
            drafts.append(self.draft(severity, f"column:{column.pk}", summary, url=url, value=round(age, 2),
                                     excerpt=f"最近更新 {timezone.localtime(last):%Y-%m-%d %H:%M}"))
        if stale >= conf["veto_count"]:
            drafts.append(self.draft(Severity.VETO, "count", f"{stale}个栏目未按时更新（达到{conf['veto_count']}个即单项否决）", value=stale))
        elif stale >= conf["warn_count"]:
            drafts.append(self.draft(Severity.WARNING, "count", f"{stale}个栏目未按时更新（{conf['veto_count']}个即单项否决）", value=stale))
        if long_stale >= conf["long_veto_count"]:
            drafts.append(self.draft(Severity.VETO, "long", f"{long_stale}个栏目长期未更新", value=long_stale))
        return drafts


class EmptyColumns(Rule):
    """空白栏目: a live column with nothing in it."""

    code, label = "empty_columns", "空白栏目"

    def check(self, site, ctx):
        from govweb.library.models import ColumnKind

        conf = self.conf
        drafts = []
        for column, items, _last, other in ctx.columns(site):
            if column.kind == ColumnKind.LINK or items or other:
                continue
            url = site.site.root_url + "/" + column.url_path[len(site.site.root_page.url_path):]
            drafts.append(self.draft(Severity.PROBLEM, f"column:{column.pk}", f"栏目“{column.title}”没有任何内容（空白栏目）", url=url))
        count = len(drafts)
        if count >= conf["veto_count"]:
            drafts.append(self.draft(Severity.VETO, "count", f"{count}个空白栏目（达到{conf['veto_count']}个即单项否决）", value=count))
        elif count >= conf["warn_count"]:
            drafts.append(self.draft(Severity.WARNING, "count", f"{count}个空白栏目（{conf['veto_count']}个即单项否决）", value=count))
        return drafts


class PublicationTime(Rule):
    """无发布时间: items with no publication time, one in the future, or no PubDate on the page."""

    code, label = "publication_time", "信息无发布时间"

    def check(self, site, ctx):
        from django.db.models import Q

        from govweb.library.models import LibraryItemPage

        conf = self.conf
        root = site.site.root_page
        limit = ctx.now + timedelta(minutes=conf["future_tolerance_minutes"])
        drafts = []
        for pk, title, url_path, pub_date in (
                LibraryItemPage.objects.filter(home_id=root.pk).live()
                .filter(Q(pub_date__isnull=True) | Q(pub_date__gt=limit))
                .values_list("pk", "title", "url_path", "pub_date")[:500]):
            url = site.site.root_url + "/" + url_path[len(root.url_path):]
            reason = ("没有发布时间" if pub_date is None else
                      f"发布时间 {timezone.localtime(pub_date):%Y-%m-%d %H:%M} 晚于当前时间")
            drafts.append(self.draft(Severity.PROBLEM, f"page:{pk}", f"“{title[:60]}”{reason}", url=url))
        crawl = ctx.crawls.get(site.pk)
        for url, title in (crawl.missing_pubdate if crawl else []):
            drafts.append(self.draft(Severity.PROBLEM, f"meta:{url}", f"“{title[:60]}”页面缺少发布时间（PubDate）", url=url))
        return drafts


class BrokenLinks(Rule):
    """链接可用性: what the crawler found (needs a crawl in this run)."""

    code, label = "broken_links", "链接不可用"

    def check(self, site, ctx):
        crawl = ctx.crawls.get(site.pk)
        if crawl is None:
            return None
        drafts = []
        for problem in crawl.problems:
            drafts.append(self.draft(
                problem.severity, f"{problem.source_url} -> {problem.target_url}",
                f"{problem.reason}：{problem.target_url[:150]}", url=problem.source_url,
                excerpt=f"链接文字：{problem.text}" if problem.text else ""))
        return drafts


class InteractionReplies(Rule):
    """互动回应差: a valid message unanswered for 3 months (warned from 2)."""

    code, label = "interaction_replies", "留言长期未答复"

    def check(self, site, ctx):
        conf = self.conf
        rows = providers.overdue_messages(site, ctx.now, conf["warn_days"])
        if rows is None:
            return None
        drafts = []
        for row in rows:
            age = _days(ctx.now - row["received_at"])
            severity = Severity.VETO if age >= conf["veto_days"] else Severity.WARNING
            drafts.append(self.draft(severity, f"message:{row['id']}",
                                     f"留言“{row['title'][:40]}”已{int(age)}天未答复", value=round(age, 2)))
        return drafts


class ErrorReports(Rule):
    """网民纠错: reports past their deadline (2 working days, set by the interaction app)."""

    code, label = "error_reports", "网民纠错超期未答复"

    def check(self, site, ctx):
        rows = providers.error_reports_due(site, ctx.now)
        if rows is None:
            return None
        grace = self.conf["grace_days"]
        drafts = []
        for row in rows:
            late = (ctx.today - row["deadline"]).days - grace
            if late <= 0:
                continue
            drafts.append(self.draft(Severity.PROBLEM, f"error_report:{row['id']}",
                                     f"网民纠错已超过答复期限{late}天（期限 {row['deadline']:%Y-%m-%d}）",
                                     url=row["page_url"] or "", value=late))
        return drafts


class ServiceGuides(Rule):
    """服务不实用: live guides missing ≥ 4 of the 8 key elements; ≥ 5 such items veto."""

    code, label = "service_guides", "办事指南要素缺失"

    def check(self, site, ctx):
        conf = self.conf
        rows = providers.incomplete_services(site, conf["missing_elements"])
        if rows is None:
            return None
        count = len(rows)
        if count >= conf["veto_items"]:
            severity = Severity.VETO
        elif count >= conf["warn_items"]:
            severity = Severity.WARNING
        else:
            return []
        drafts = [self.draft(severity, f"item:{row['code']}", f"办事指南“{row['name'][:40]}”缺少{len(row['missing'])}项要素",
                             excerpt="缺少：" + "、".join(row["missing"])) for row in rows]
        drafts.append(self.draft(severity, "count", f"{count}个办事指南各缺少{conf['missing_elements']}项以上要素"
                                 f"（达到{conf['veto_items']}个即单项否决）", value=count))
        return drafts


class ForbiddenExpressions(Rule):
    """错敏词: outdated titles, miswritten names and sensitive words in published text."""

    code, label = "forbidden_expressions", "错敏词"

    def __init__(self, expressions=None):
        self._expressions = expressions

    def expressions(self):
        if self._expressions is not None:
            return self._expressions
        return list(ForbiddenExpression.objects.filter(active=True))

    def check(self, site, ctx):
        from .crawler import iter_site_content

        expressions = {e.text: e for e in self.expressions()}
        if not expressions:
            return []
        pattern = re.compile("|".join(re.escape(t) for t in sorted(expressions, key=len, reverse=True)))
        drafts, cap = [], self.conf["max_findings_per_site"]
        for content in iter_site_content(site.site.root_page, site.site.root_url):
            text = content.title + "\n" + "\n".join(strip_tags(f) for f in content.fragments)
            for match in {m.group(0): m for m in pattern.finditer(text)}.values():
                expression = expressions[match.group(0)]
                start = max(match.start() - 20, 0)
                excerpt = text[start: match.end() + 20].replace("\n", " ")
                advice = f"，应为“{expression.suggestion}”" if expression.suggestion else ""
                drafts.append(self.draft(
                    expression.severity, f"page:{content.pk}:{expression.text}",
                    f"“{content.title[:40]}”含{ExpressionKind(expression.kind).label}“{expression.text}”{advice}",
                    url=content.url, excerpt=excerpt))
                if len(drafts) >= cap:
                    return drafts
        return drafts


class Reprint(Rule):
    """转载: important policies not reprinted within 12 hours (late or missing), or due soon."""

    code, label = "reprint", "转载超时"

    def check(self, site, ctx):
        conf = self.conf
        rows = providers.reprint_states(site, ctx.now, ctx.now - timedelta(days=conf["lookback_days"]))
        if rows is None:
            return None
        drafts = []
        for row in rows:
            deadline = timezone.localtime(row["deadline"])
            if row["missing"]:
                summary = f"“{row['title'][:40]}”逾期未转载（截止 {deadline:%Y-%m-%d %H:%M}）"
                drafts.append(self.draft(Severity.PROBLEM, f"task:{row['id']}", summary))
            elif row["late"]:
                late = row["done_at"] - row["deadline"]
                summary = (f"“{row['title'][:40]}”超时转载，晚于截止时间{_fmt_days(late.total_seconds() / 3600)}小时")
                drafts.append(self.draft(Severity.PROBLEM, f"task:{row['id']}", summary,
                                         value=round(late.total_seconds() / 3600, 2)))
            elif row["remaining"] is not None and row["remaining"] <= timedelta(hours=conf["warn_hours"]):
                summary = f"“{row['title'][:40]}”待转载，{deadline:%H:%M}前须完成"
                drafts.append(self.draft(Severity.WARNING, f"task:{row['id']}", summary))
        return drafts


RULES = [HomeReachability(), HomeUpdate(), ColumnUpdate(), EmptyColumns(), PublicationTime(),
         BrokenLinks(), InteractionReplies(), ErrorReports(), ServiceGuides(),
         ForbiddenExpressions(), Reprint()]
RULE_LABELS = {rule.code: rule.label for rule in RULES}


def rules_by_code(codes=None):
    if codes is None:
        return list(RULES)
    return [rule for rule in RULES if rule.code in codes]
