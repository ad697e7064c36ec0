"""政府网站工作年度报表 (国办函〔2018〕12号): the fields, how the platform fills them, and the
XLSX and PDF exports in the national layout (labels as in NATIONAL.md)."""

import datetime as dt
import io

from django.template.loader import render_to_string
from django.utils import timezone

from . import providers

AUTO, MANUAL = "auto", "manual"

# (section, [(key, label, source, kind)]); kind: text | int | bool | float
SECTIONS = [
    ("基本信息", [
        ("site_name", "网站名称", AUTO, "text"), ("home_url", "首页网址", AUTO, "text"),
        ("sponsor", "主办单位", AUTO, "text"), ("site_type", "网站类型", AUTO, "text"),
        ("id_code", "政府网站标识码", AUTO, "text"), ("icp_number", "ICP备案号", AUTO, "text"),
        ("police_filing_number", "公安机关备案号", AUTO, "text"),
    ]),
    ("网站访问量", [
        ("unique_visitors", "独立用户访问总量（单位：个）", AUTO, "int"),
        ("page_views", "网站总访问量（单位：次）", AUTO, "int"),
    ]),
    ("信息发布", [
        ("items_total", "信息发布总数（单位：条）", AUTO, "int"),
        ("overview_updates", "概况类信息更新量（单位：条）", AUTO, "int"),
        ("news_items", "政务动态信息更新量（单位：条）", AUTO, "int"),
        ("disclosure_items", "信息公开目录信息更新量（单位：条）", AUTO, "int"),
    ]),
    ("专栏专题", [
        ("topics_maintained", "维护数量（单位：个）", AUTO, "int"),
        ("topics_new", "新开设数量（单位：个）", AUTO, "int"),
    ]),
    ("解读回应", [
        ("interpretations", "解读信息发布总数（单位：条）", AUTO, "int"),
        ("concerns_responded", "回应公众关注热点或重大舆情数量（单位：次）", MANUAL, "int"),
    ]),
    ("办事服务", [
        ("service_catalogue", "是否发布服务事项目录", AUTO, "bool"),
        ("registered_users", "注册用户数（单位：个）", MANUAL, "int"),
        ("service_items", "政务服务事项数量（单位：项）", AUTO, "int"),
        ("service_fully_online", "可全程在线办理政务服务事项数量（单位：项）", AUTO, "int"),
        ("applications_total", "办件量·总数（单位：件）", AUTO, "int"),
        ("applications_natural", "办件量·自然人办件量（单位：件）", AUTO, "int"),
        ("applications_legal", "办件量·法人办件量（单位：件）", AUTO, "int"),
    ]),
    ("互动交流", [
        ("unified_platform", "是否使用统一平台", AUTO, "bool"),
        ("messages_received", "留言办理·收到留言数量（单位：条）", AUTO, "int"),
        ("messages_closed", "留言办理·办结留言数量（单位：条）", AUTO, "int"),
        ("messages_avg_days", "留言办理·平均办理时间（单位：天）", AUTO, "float"),
        ("messages_published", "留言办理·公开答复数量（单位：条）", AUTO, "int"),
        ("surveys_held", "征集调查·征集调查期数（单位：期）", AUTO, "int"),
        ("survey_opinions", "征集调查·收到意见数量（单位：条）", AUTO, "int"),
        ("surveys_results_published", "征集调查·公布调查结果期数（单位：期）", AUTO, "int"),
        ("interviews_held", "在线访谈·访谈期数（单位：期）", AUTO, "int"),
        ("interview_questions", "在线访谈·网民留言数量（单位：条）", AUTO, "int"),
        ("interview_answered", "在线访谈·答复网民提问数量（单位：条）", AUTO, "int"),
        ("smart_qa", "是否提供智能问答功能", AUTO, "bool"),
        ("error_reports_received", "网民纠错·收到纠错数量（单位：条）", AUTO, "int"),
        ("error_reports_answered", "网民纠错·答复纠错数量（单位：条）", AUTO, "int"),
    ]),
    ("安全防护", [
        ("security_checks", "安全检测评估次数（单位：次）", AUTO, "int"),
        ("problems_found", "发现问题数量（单位：个）", AUTO, "int"),
        ("problems_fixed", "问题整改数量（单位：个）", AUTO, "int"),
        ("monitoring", "是否建立安全监测预警机制", AUTO, "bool"),
        ("drills", "是否开展应急演练", MANUAL, "bool"),
        ("security_officer_named", "是否明确网站安全责任人", AUTO, "bool"),
    ]),
    ("移动新媒体", [
        ("new_media", "微博、微信等账号名称、信息发布量、关注量", MANUAL, "text"),
    ]),
    ("创新发展", [
        ("search_service", "搜索即服务", AUTO, "bool"), ("multilingual", "多语言版本", AUTO, "bool"),
        ("accessibility", "无障碍浏览", AUTO, "bool"), ("personalisation", "千人千网", MANUAL, "bool"),
        ("innovation_other", "其他", MANUAL, "text"),
    ]),
]
SIGN_FIELDS = [("unit_head", "单位负责人"), ("reviewer", "审核人"), ("preparer", "填报人"),
               ("phone", "联系电话"), ("fill_date", "填报日期")]
FIELD_LABELS = {key: label for _s, fields in SECTIONS for key, label, _src, _k in fields}
MANUAL_FIELDS = [(key, label, kind) for _s, fields in SECTIONS for key, label, src, kind in fields
                 if src == MANUAL]


def year_bounds(year):
    tz = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def collect(site, year):
    """(data, per-column counts) computed from the platform's own records for one year."""
    from django.db.models import Count
    from wagtail.models import Page

    from govweb.library.models import (
        ColumnKind,
        ColumnPage,
        InterpretationPage,
        LibraryItemPage,
        PolicyDocumentPage,
    )

    from .models import CheckRun, Finding

    start, end = year_bounds(year)
    root = site.site.root_page
    items = LibraryItemPage.objects.filter(home_id=root.pk, pub_date__gte=start, pub_date__lt=end).live()
    columns = {c.pk: c for c in ColumnPage.objects.descendant_of(root).live().order_by("path")}
    per_column = dict(items.order_by().values_list("column_id").annotate(n=Count("pk")).values_list("column_id", "n"))
    news_ids = [pk for pk, c in columns.items() if c.kind == ColumnKind.NEWS]
    topics = [c for c in columns.values() if c.kind == ColumnKind.TOPIC]
    overview = 0
    try:
        from govweb.disclosure.models import DisclosureInfoPage, LeadersPage

        for model in (DisclosureInfoPage, LeadersPage):
            overview += model.objects.descendant_of(root).live().filter(
                last_published_at__gte=start, last_published_at__lt=end).count()
    except ImportError:
        pass
    data = {
        "site_name": site.organisation, "home_url": site.public_url, "sponsor": site.sponsor,
        "site_type": site.get_category_display(), "id_code": site.id_code,
        "icp_number": site.icp_number, "police_filing_number": site.police_filing_number,
        "items_total": items.count(), "overview_updates": overview,
        "news_items": items.filter(column_id__in=news_ids).count(),
        "disclosure_items": PolicyDocumentPage.objects.filter(
            home_id=root.pk, pub_date__gte=start, pub_date__lt=end).live().count(),
        "topics_maintained": len(topics),
        "topics_new": sum(1 for c in topics if c.first_published_at and start <= c.first_published_at < end),
        "interpretations": InterpretationPage.objects.filter(
            home_id=root.pk, pub_date__gte=start, pub_date__lt=end).live().count(),
        "unified_platform": True, "monitoring": True,
        "security_officer_named": bool(site.security_officer.strip()),
        "search_service": True, "multilingual": True, "accessibility": True,
    }
    runs = CheckRun.objects.filter(started_at__gte=start, started_at__lt=end).values_list("sites", flat=True)
    data["security_checks"] = sum(1 for sites in runs if site.pk in (sites or []))
    data["problems_found"] = Finding.objects.filter(site=site, first_seen_at__gte=start, first_seen_at__lt=end).count()
    data["problems_fixed"] = Finding.objects.filter(site=site, resolved_at__gte=start, resolved_at__lt=end).count()
    visits = providers.visits(site, start.date(), (end - dt.timedelta(days=1)).date())
    if visits is not None:
        data["unique_visitors"], data["page_views"] = visits["uv"], visits["pv"]
    for extra in (providers.services_year(site, year), providers.interaction_year(site, start, end)):
        if extra:
            data.update(extra)
    column_rows = []
    prefix = len(root.url_path)
    for pk, column in columns.items():
        if column.kind == ColumnKind.LINK:
            continue
        column_rows.append({"column": column.title, "path": "/" + column.url_path[prefix:],
                            "items": per_column.get(pk, 0)})
    del Page
    return data, column_rows


def display(value, kind="text"):
    if value is None or value == "":
        return ""
    if kind == "bool" or isinstance(value, bool):
        return "是" if value in (True, "true", "1", "on", "是") else "否"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def rows(report):
    """[(section, [(label, display value)])] — what every export shows, in form order."""
    out = []
    for section, fields in SECTIONS:
        out.append((section, [(label, display(report.value(key), kind)) for key, label, _src, kind in fields]))
    return out


def sign_rows(report):
    return [(label, str(report.manual.get(key) or "")) for key, label in SIGN_FIELDS]


def title_of(report):
    return f"政府网站工作年度报表（{report.year}年度）"


def to_xlsx(report):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "年度报表"
    sheet.append([title_of(report)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["填报单位", report.site.organisation])
    for section, fields in rows(report):
        sheet.append([section])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
        for label, value in fields:
            sheet.append([label, value])
    sheet.append(["签发"])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    for label, value in sign_rows(report):
        sheet.append([label, value])
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 40
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    columns = book.create_sheet("栏目信息发布")
    columns.append(["栏目名称", "栏目地址", "信息发布数（单位：条）"])
    for row in report.columns:
        columns.append([row["column"], row["path"], row["items"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_pdf(report):
    from weasyprint import HTML

    html = render_to_string("supervision/annual_report_pdf.html", {
        "report": report, "title": title_of(report), "rows": rows(report), "sign_rows": sign_rows(report)})
    return HTML(string=html).write_pdf()
