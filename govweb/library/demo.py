"""Demo content of the library: policy documents with full disclosure metadata, interpretations,
the standard disclosure sections, a special topic per site, and each site's 审核 → 签发 workflow.

Deterministic: every text comes from the tables below and every date is relative to `now`.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.html import escape

from govweb.cluster import demo_content
from govweb.disclosure.models import (
    Audience,
    DisclosureCataloguePage,
    DisclosureInfoPage,
    DisclosureSection,
    Genre,
    Leader,
    LeadersPage,
    TopicCategory,
)

from .actions import do_provision_site_workflow, signers_group_name
from .models import (
    ArticlePage,
    ColumnKind,
    ColumnPage,
    InterpretationKind,
    InterpretationPage,
    PolicyDocumentPage,
    Validity,
)

# Per site: document-number prefix and five policies (title, topic code, genre code, audience code).
POLICIES = {
    "portal": ("筑府办发", [
        ("贵阳市人民政府办公厅关于进一步优化营商环境更好服务市场主体的实施意见", "0202", "07", "02"),
        ("贵阳市城镇老旧小区改造三年行动方案（2025—2027年）", "0902", "18", "01"),
        ("贵阳市突发事件总体应急预案", "0101", "19", "01"),
        ("贵阳市政务公开工作要点", "0103", "08", "04"),
        ("贵阳市促进数字经济高质量发展若干措施", "0602", "07", "02"),
    ]),
    "yunyan": ("云府办发", [
        ("云岩区城镇燃气安全专项整治工作方案", "0804", "18", "01"),
        ("云岩区老旧小区改造实施办法", "0902", "19", "01"),
        ("云岩区促进夜间经济发展的若干措施", "0701", "07", "02"),
        ("云岩区政务公开工作要点", "0103", "08", "04"),
        ("云岩区社区居家养老服务补贴办法", "1601", "19", "05"),
    ]),
    "nanming": ("南府办发", [
        ("南明区背街小巷环境综合整治实施方案", "0902", "18", "01"),
        ("南明区促进文化旅游消费的若干措施", "0704", "07", "02"),
        ("南明区政务公开工作要点", "0103", "08", "04"),
        ("南明区防汛抗旱应急预案", "0101", "19", "01"),
        ("南明区就业困难人员认定管理办法", "1401", "19", "01"),
    ]),
    "guanshanhu": ("观府办发", [
        ("观山湖区新建住宅小区配套教育设施移交管理办法", "1002", "19", "06"),
        ("观山湖区促进楼宇经济发展的若干措施", "0701", "07", "02"),
        ("观山湖区政务公开工作要点", "0103", "08", "04"),
        ("观山湖区生活垃圾分类管理实施方案", "0904", "18", "01"),
        ("观山湖区公共停车场建设管理办法", "0603", "19", "01"),
    ]),
    "gaoxin": ("筑高新管发", [
        ("贵阳高新区支持科技型企业发展的若干政策", "1001", "07", "02"),
        ("贵阳高新区人才公寓管理办法", "1403", "19", "01"),
        ("贵阳高新区政务公开工作要点", "0103", "08", "04"),
        ("贵阳高新区企业研发投入后补助实施细则", "1001", "21", "02"),
        ("贵阳高新区安全生产委员会工作规则", "0804", "20", "04"),
    ]),
    "fgw": ("筑发改", [
        ("贵阳市发展和改革委员会关于做好今冬明春能源保供工作的通知", "0403", "08", "02"),
        ("贵阳市重大项目前期工作经费管理办法", "0201", "19", "04"),
        ("贵阳市政府定价目录（修订）", "0204", "22", "01"),
        ("贵阳市发展和改革委员会政务公开工作要点", "0103", "08", "04"),
        ("贵阳市社会信用体系建设实施方案", "0202", "18", "01"),
    ]),
    "jyj": ("筑教发", [
        ("贵阳市义务教育阶段学校招生入学工作实施方案", "1002", "18", "06"),
        ("贵阳市中小学校课后服务工作指南", "1002", "22", "06"),
        ("贵阳市民办学校年度检查办法", "1002", "19", "03"),
        ("贵阳市教育局政务公开工作要点", "0103", "08", "04"),
        ("贵阳市学生资助工作管理办法", "1002", "19", "06"),
    ]),
    "rsj": ("筑人社发", [
        ("贵阳市高校毕业生就业创业补贴实施办法", "1401", "19", "01"),
        ("贵阳市职业技能提升行动实施方案", "1401", "18", "01"),
        ("贵阳市根治欠薪工作要点", "1401", "08", "02"),
        ("贵阳市人力资源和社会保障局政务公开工作要点", "0103", "08", "04"),
        ("贵阳市城乡居民基本养老保险实施细则", "1402", "21", "01"),
    ]),
    "dsj": ("筑数局发", [
        ("贵阳市公共数据资源开放管理办法", "0604", "19", "02"),
        ("贵阳市政务信息系统整合共享工作方案", "0104", "18", "04"),
        ("贵阳市大数据发展管理局政务公开工作要点", "0103", "08", "04"),
        ("贵阳市数据要素市场培育若干措施", "0602", "07", "02"),
        ("贵阳市政务云平台使用管理规定", "0104", "20", "04"),
    ]),
}

TOPICS = {
    "portal": ("迎接全国第十二届少数民族传统体育运动会", "民族运动会"),
    "yunyan": ("城镇燃气安全专项整治", "燃气安全"),
    "nanming": ("背街小巷环境综合整治", "背街小巷"),
    "guanshanhu": ("生活垃圾分类在行动", "垃圾分类"),
    "gaoxin": ("数博会专题", "数博会"),
    "fgw": ("优化营商环境专题", "营商环境"),
    "jyj": ("义务教育招生入学专题", "招生入学"),
    "rsj": ("高校毕业生就业服务专题", "就业服务"),
    "dsj": ("数字政府建设专题", "数字政府"),
}


def _p(*paragraphs):
    return [("paragraph", f"<p>{escape(p)}</p>") for p in paragraphs]


def _at(now, days_ago, hour=9, minute=30):
    day = (now - timedelta(days=days_ago)).date()
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))
    while moment > now:  # never dated in the future, whatever the time of day
        moment -= timedelta(days=1)
    return moment


def _column(home, slug):
    return ColumnPage.objects.child_of(home).get(slug=slug)


def load(profiles, now):
    if not TopicCategory.objects.exists():  # e.g. a database built without migrations
        from govweb.disclosure.data.taxonomy import load_taxonomy

        load_taxonomy(TopicCategory, Genre, Audience)
    topics = {t.code: t for t in TopicCategory.objects.all()}
    genres = {g.code: g for g in Genre.objects.all()}
    audiences = {a.code: a for a in Audience.objects.all()}
    for key, profile in profiles.items():
        spec = demo_content.site(key)
        ctx_issuer = spec["sponsor"] if key == "portal" else spec["name"]
        home = profile.site.root_page.specific
        do_provision_site_workflow(profile)
        reviewers = list(profile.reviewers_group.user_set.all()) if profile.reviewers_group else []
        signers = Group.objects.get(name=signers_group_name(profile))
        for user in reviewers:  # in the demo the reviewer also signs off
            user.groups.add(signers)
        policy_column = _column(home, "zcwj")
        _load_policies(key, profile, policy_column, ctx_issuer, now, topics, genres, audiences)
        _load_topic(key, home, now)
        _load_disclosure(key, spec, profile, home, policy_column, now)
        if key == "portal":
            _load_english_version(home, policy_column)


def _load_policies(key, profile, column, issuer, now, topics, genres, audiences):
    prefix, rows = POLICIES[key]
    year = timezone.localtime(now).year
    pages = []
    for n, (title, topic, genre, audience) in enumerate(rows):
        days = 200 - n * 40  # spread over the last seven months
        pub = _at(now, days, 10, 0)
        important = n == 0
        page = PolicyDocumentPage(
            title=title, slug=f"policy-{n + 1}", pub_date=pub, source=issuer, author=issuer,
            issuing_body=issuer, document_number=f"{prefix}〔{timezone.localtime(pub).year}〕{n * 7 + 3}号",
            written_on=(pub - timedelta(days=3)).date(), topic=topics[topic], genre=genres[genre],
            audience=audiences[audience], subject_words=title[-6:].strip("（）"),
            keywords=f"{title[:4]},政策文件", is_important=important,
            summary=f"《{title}》明确了工作目标、主要任务和保障措施，自印发之日起施行。",
            body=_p(
                "各有关单位：",
                f"《{title}》已经研究同意，现印发给你们，请结合实际认真贯彻执行。",
                "一、工作目标。坚持以人民为中心的发展思想，聚焦群众急难愁盼问题，到"
                f"{year}年底前基本建立责任清晰、运行高效、保障有力的工作机制。",
                "二、主要任务。各责任单位要按照职责分工，制定具体工作措施，明确时间节点，"
                "加强协调配合，确保各项任务落地见效。",
                "三、保障措施。加强组织领导，强化督促检查，将工作落实情况纳入年度目标绩效考核。",
                f"{issuer}",
            ),
            first_published_at=pub, last_published_at=pub, live=not important,
        )
        column.add_child(instance=page)
        pages.append(page)
    # The important policy goes out with its interpretations (谁起草，谁解读).
    important = pages[0]
    for kind, title, days_after in (
        (InterpretationKind.TEXT, f"一图读懂《{important.title}》", 0),
        (InterpretationKind.GRAPHIC, f"《{important.title}》政策解读", 0),
    ):
        pub = important.pub_date + timedelta(hours=2 + days_after)
        interp = InterpretationPage(
            title=title[:255], slug=f"interp-{kind}", policy=important, kind=kind, pub_date=pub,
            source=issuer, author=f"{issuer}（起草单位）",
            summary=f"围绕《{important.title}》的出台背景、主要内容和关键举措进行解读。",
            topic=important.topic, first_published_at=pub, last_published_at=pub,
            body=_p("一、出台背景。为贯彻落实上级决策部署，回应企业和群众关切，起草单位在深入调研、"
                    "广泛征求意见的基础上研究起草了本文件。",
                    "二、主要内容。文件共分三个部分，明确了工作目标、主要任务和保障措施。",
                    "三、关键举措。文件坚持问题导向，提出了一批务实管用的具体措施，"
                    "明确了责任单位和完成时限。"),
        )
        column.add_child(instance=interp)
    important.refresh_from_db()
    important.live = True
    important.save()
    # One amended and one repealed document, each pointing to what replaced it.
    old_amended = PolicyDocumentPage(
        title=f"{pages[1].title}（{year - 3}年版）", slug="policy-old-1",
        pub_date=_at(now, 1200, 10, 0), source=issuer, issuing_body=issuer,
        document_number=f"{prefix}〔{year - 3}〕12号", written_on=_at(now, 1203).date(),
        topic=pages[1].topic, genre=pages[1].genre, audience=pages[1].audience,
        validity=Validity.AMENDED, validity_changed_on=pages[1].pub_date.date(), replaced_by=pages[1],
        summary="本文件已修订，请以修订后的文件为准。", body=_p("本文件已修订。"),
        first_published_at=_at(now, 1200, 10, 0), last_published_at=_at(now, 1200, 10, 0),
    )
    column.add_child(instance=old_amended)
    old_repealed = PolicyDocumentPage(
        title=f"{pages[2].title.replace('（', '(')[:40]}（旧）", slug="policy-old-2",
        pub_date=_at(now, 1500, 10, 0), source=issuer, issuing_body=issuer,
        document_number=f"{prefix}〔{year - 4}〕5号", written_on=_at(now, 1502).date(),
        topic=pages[2].topic, genre=pages[2].genre, audience=pages[2].audience,
        validity=Validity.REPEALED, validity_changed_on=pages[2].pub_date.date(), replaced_by=pages[2],
        summary="本文件已废止。", body=_p("本文件已废止。"),
        first_published_at=_at(now, 1500, 10, 0), last_published_at=_at(now, 1500, 10, 0),
    )
    column.add_child(instance=old_repealed)


def _load_topic(key, home, now):
    title, short = TOPICS[key]
    start = (now - timedelta(days=40)).date()
    column = home.add_child(instance=ColumnPage(
        title=title, slug="zt", kind=ColumnKind.TOPIC, description=f"集中发布“{short}”相关工作动态和政策。",
        keywords=short, topic_starts_on=start, topic_ends_on=start + timedelta(days=120),
        show_in_menus=False, first_published_at=now, last_published_at=now,
    ))
    for n, (days, text) in enumerate(((35, "工作部署"), (20, "工作推进"), (6, "阶段成效"))):
        pub = _at(now, days, 15, 0)
        column.add_child(instance=ArticlePage(
            title=f"“{short}”{text}情况通报", slug=f"zt-{n + 1}", pub_date=pub,
            source="专题工作专班", author="专题工作专班",
            summary=f"通报“{short}”{text}情况。",
            body=_p(f"按照“{short}”工作安排，各责任单位扎实推进各项任务，{text}总体顺利。",
                    "下一步，将继续强化统筹调度，及时协调解决工作中遇到的问题，确保取得实效。"),
            first_published_at=pub, last_published_at=pub,
        ))


def _load_disclosure(key, spec, profile, home, policy_column, now):
    org = spec["name"]
    updated = (now - timedelta(days=30)).date()
    section = home.add_child(instance=ColumnPage(
        title="政府信息公开", slug="xxgk", kind=ColumnKind.DISCLOSURE,
        description=f"{org}政府信息公开专栏：公开指南、公开目录、公开年报和各类法定主动公开内容。",
        keywords="政府信息公开,公开指南,公开目录,公开年报", show_in_menus=True, show_on_home=False,
        first_published_at=now, last_published_at=now,
    ))
    info = [
        (DisclosureSection.OVERVIEW, "概况信息", "gkxx",
         [spec["description"], f"办公地址：{spec['address']}；邮编：{spec['postcode']}；联系电话：{spec['phone']}。"]),
        (DisclosureSection.FUNCTIONS, "机构职能", "jgzn",
         [f"{org}贯彻落实党中央、国务院和省委、省政府、市委、市政府关于相关工作的方针政策和决策部署，"
          "依法履行法律法规规定的各项职责。",
          "内设机构：办公室、政策法规科、业务科室等；各内设机构职责和联系方式按统一格式公开。"]),
        (DisclosureSection.GUIDE, "政府信息公开指南", "gkzn",
         [f"为便于公民、法人和其他组织获取{org}的政府信息，根据《中华人民共和国政府信息公开条例》编制本指南。",
          "一、主动公开。主动公开的政府信息通过本网站、政务新媒体和政务服务场所等渠道公开，"
          "自信息形成或者变更之日起20个工作日内予以公开。",
          "二、依申请公开。申请人可通过网上申请、信函、当面提交等方式提出申请，"
          "本机关自收到申请之日起20个工作日内予以答复。",
          f"三、受理机构。{spec['sponsor']}，地址：{spec['address']}，电话：{spec['phone']}。"]),
        (DisclosureSection.STATISTICS, "统计信息", "tjxx",
         [f"{org}按月发布主要业务统计数据，数据来源于本单位业务统计报表。",
          f"截至{updated:%Y年%m月}，本网站累计主动公开政府信息{len(spec['items']) + 7}条。"]),
    ]
    for kind, title, slug, paragraphs in info:
        section.add_child(instance=DisclosureInfoPage(
            title=title, slug=slug, section=kind, updated_on=updated, summary=paragraphs[0][:300],
            body=_p(*paragraphs), first_published_at=now, last_published_at=now,
        ))
    leaders = LeadersPage(title="负责人信息", slug="fzrxx", intro=f"{org}负责人姓名、职务、简历和工作分工。",
                          first_published_at=now, last_published_at=now)
    for n, leader in enumerate(spec["leaders"]):
        leaders.leaders.add(Leader(name=leader["name"], position=leader["title"], cv=leader["cv"],
                                   portfolio=leader["portfolio"], sort_order=n))
    section.add_child(instance=leaders)
    section.add_child(instance=DisclosureCataloguePage(
        title="政府信息公开目录", slug="gkml", intro="可按主题分类、体裁、发文机关和年份浏览本单位公开的文件。",
        first_published_at=now, last_published_at=now,
    ))
    section.add_child(instance=ColumnPage(
        title="政策文件", slug="wjzl", kind=ColumnKind.LINK, link_page=policy_column,
        description="链接到本网站的政策文件栏目。", show_on_home=False,
        first_published_at=now, last_published_at=now,
    ))
    news = ColumnPage.objects.child_of(home).filter(kind=ColumnKind.NEWS).first()
    section.add_child(instance=ColumnPage(
        title="政务动态", slug="zwdt", kind=ColumnKind.LINK, link_page=news,
        description="链接到本网站的工作动态栏目。", show_on_home=False,
        first_published_at=now, last_published_at=now,
    ))
    reports = section.add_child(instance=ColumnPage(
        title="政府信息公开年报", slug="gknb", kind=ColumnKind.DISCLOSURE,
        description=f"{org}政府信息公开工作年度报告。", show_on_home=False,
        first_published_at=now, last_published_at=now,
    ))
    last_year = timezone.localtime(now).year - 1
    for year in (last_year, last_year - 1):
        pub = timezone.make_aware(datetime(year + 1, 1, 20, 9, 0))
        reports.add_child(instance=ArticlePage(
            title=f"{org}{year}年政府信息公开工作年度报告", slug=f"nb-{year}", pub_date=pub,
            source=spec["sponsor"], author=spec["sponsor"],
            summary=f"{org}{year}年政府信息公开工作总体情况、主动公开和依申请公开情况等。",
            body=_p(f"本报告根据《中华人民共和国政府信息公开条例》要求编制，所列数据统计期限为{year}年1月1日至12月31日。",
                    "一、总体情况。本单位坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。",
                    "二、主动公开政府信息情况。全年主动公开各类政府信息，规范性文件制发和废止情况按规定公开。",
                    "三、收到和处理政府信息公开申请情况。全年依申请公开答复均在法定期限内办结。",
                    "四、存在的主要问题及改进情况。下一步将进一步提升政策解读质量，加强公开平台建设。"),
            first_published_at=pub, last_published_at=pub,
        ))


def _load_english_version(home, policy_column):
    """英文版: the portal's important policy in English, made as an editor would (Translate:
    home, column, item), so /en/zcwj/policy-1/ shows it and every other page falls back."""
    from wagtail.models import Locale

    english = Locale.objects.filter(language_code="en").first()
    policy = PolicyDocumentPage.objects.child_of(policy_column).filter(slug="policy-1").first()
    if english is None or policy is None or policy.has_translation(english):
        return
    home.copy_for_translation(english)
    policy_column.copy_for_translation(english)
    version = policy.copy_for_translation(english)
    version.title = ("Implementation Opinions of the General Office of the Guiyang Municipal "
                     "People's Government on Further Optimising the Business Environment")
    version.issuing_body = "General Office of the Guiyang Municipal People's Government"
    version.source = version.author = version.issuing_body
    version.summary = ("The opinions set out the goals, main tasks and safeguards for a better "
                       "business environment in Guiyang, effective from the date of issue.")
    version.body = _p(
        "To all units concerned:",
        "The implementation opinions have been approved and are hereby issued; please carry "
        "them out in the light of your actual situation.",
        "1. Goals. Put people first, focus on the most pressing concerns of businesses and "
        "citizens, and establish a clear, efficient and well-supported working mechanism.",
        "2. Main tasks. Each responsible unit sets out specific measures and deadlines "
        "according to its duties and works with the others to deliver them.",
        "3. Safeguards. Strengthen leadership and supervision; progress is part of the annual "
        "performance appraisal.",
    )
    version.save_revision().publish()
