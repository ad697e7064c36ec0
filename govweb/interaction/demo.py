"""Demo interaction data: messages in every state, error reports, consultations, surveys,
interviews and FAQs for the Guiyang cluster. Deterministic; dates relative to `now`."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from . import actions, notify
from .models import (
    FAQ,
    Consultation,
    ConsultationComment,
    DeadlineRule,
    Interview,
    InterviewQuestion,
    ReplyTemplate,
    SensitiveWord,
    Survey,
    SurveyQuestion,
    WorkCalendarDay,
    visitor_hash,
)

DEADLINES = [("consultation", 5, 5), ("complaint", 5, 5), ("suggestion", 10, 5), ("help", 3, 2)]
SENSITIVE_WORDS = ["代开发票", "赌博网站", "枪支出售", "办证刻章"]

FAQS = {
    "jyj": [
        ("小学一年级新生入学需要准备哪些材料？",
         "一般需要：适龄儿童户口簿、监护人房产证明或租赁备案证明、儿童预防接种证。"
         "具体以所在区教育局当年发布的招生工作方案为准。", "入学 新生 小学 材料 招生"),
        ("义务教育阶段学校如何划分学区？",
         "学区由各区（市、县）教育行政部门根据学校布局和适龄儿童分布划定，每年招生前向社会公布。",
         "学区 划片 义务教育"),
        ("教师资格证认定在哪里办理？",
         "中小学教师资格认定通过“中国教师资格网”网上申报，按公告时间到户籍或居住证所在地教育局现场确认。",
         "教师资格 认定 教资"),
    ],
    "rsj": [
        ("灵活就业人员如何参加职工养老保险？",
         "持本人身份证到社保经办机构或通过“贵州社保”小程序办理参保登记，按月或按年缴费。",
         "灵活就业 养老保险 参保 社保"),
        ("失业保险金怎么申领？",
         "失业后 60 日内凭身份证、社保卡通过线上或到就近社保经办机构申领。", "失业 保险金 申领"),
        ("高校毕业生就业见习补贴标准是多少？",
         "见习单位按见习人员人数获得见习补贴，标准以当年市人社局公布的文件为准。",
         "毕业生 见习 补贴"),
    ],
    "yunyan": [
        ("云岩区居住证在哪里办理？",
         "到居住地派出所或社区警务室申领，需提供身份证、居住证明和近期照片。", "居住证 办理 派出所"),
        ("老旧小区改造什么时候开始？",
         "每年改造计划经区住建局公示后实施，可在“通知公告”栏目查看当年计划。", "老旧小区 改造"),
    ],
    "portal": [
        ("12345政务服务便民热线能办什么？",
         "受理企业和群众的咨询、投诉、求助、建议，24小时人工服务。", "12345 热线 投诉 咨询"),
        ("如何查询政府信息公开目录？",
         "在各网站“政府信息公开”栏目按主题、机构或文号查询。", "信息公开 目录 查询"),
    ],
    "dsj": [
        ("政务数据开放平台如何申请数据？",
         "登录贵阳市政府数据开放平台，注册后在数据目录中选择数据集并提交申请。", "数据开放 申请 数据集"),
    ],
}

MESSAGES = [
    # (site, unit, kind, title, content, name, phone, days_ago, path)
    ("yunyan", "yunyan", "complaint", "黔灵山路夜间施工噪音扰民",
     "黔灵山路某工地近两周每晚十一点后仍在施工，噪音很大，影响周边居民休息，请相关部门查处。",
     "王建国", "13885012345", 12, "published"),
    ("yunyan", "jyj", "consultation", "孩子明年上小学如何确定学区",
     "我家住云岩区中华北路，孩子明年九月上小学，请问学区怎么划分？房子是租的能否入学？",
     "李晓梅", "13908512233", 9, "published"),
    ("portal", "rsj", "help", "灵活就业养老保险断缴如何补缴",
     "我2023年断缴了半年灵活就业养老保险，现在想补缴，请问需要什么手续？",
     "张明", "15085901234", 8, "closed"),
    ("portal", None, "suggestion", "建议增加观山湖公园周边公交线路",
     "观山湖公园周末游客多，公交班次少，建议增加周末公交线路或加密班次。",
     "刘芳", "18798012345", 2, "received"),
    ("guanshanhu", "guanshanhu", "consultation", "观山湖区新建幼儿园何时招生",
     "林城东路新建的公办幼儿园今年什么时候开始招生？报名需要哪些材料？",
     "陈丽", "13765012345", 3, "accepted"),
    ("nanming", "nanming", "complaint", "南明河沿岸路灯不亮",
     "南明河花果园段沿河步道有十几盏路灯不亮，晚上散步很不安全。",
     "赵强", "13985012311", 6, "assigned"),
    ("fgw", "fgw", "suggestion", "关于优化营商环境的几点建议",
     "建议进一步压缩企业开办时间，推行电子营业执照在更多场景应用。",
     "周伟", "13608512345", 4, "replied"),
    ("yunyan", "yunyan", "complaint", "小区物业乱收费",
     "我所在小区物业擅自上调停车费，未经业主大会同意，请求查处。",
     "孙红", "13511112222", 15, "overdue"),
    ("gaoxin", "gaoxin", "consultation", "高新区人才公寓申请条件",
     "请问高新区人才公寓的申请条件是什么？硕士研究生是否可以申请？",
     "吴磊", "18685012345", 20, "published"),
    ("jyj", "jyj", "consultation", "中考体育考试项目有哪些",
     "今年中考体育考试项目有调整吗？必考和选考项目分别是什么？",
     "郑敏", "13984012345", 11, "published"),
]

REPLIES = {
    "黔灵山路夜间施工噪音扰民": "经核查，该工地未办理夜间施工许可。区住建局已责令其停止夜间施工，"
    "并将加强巡查。如再发现夜间施工，可拨打12345热线反映。",
    "孩子明年上小学如何确定学区": "义务教育阶段学校实行划片招生，学区范围由云岩区教育局每年招生前公布。"
    "租房家庭凭租赁备案证明、居住证等材料可按规定在居住地入学。",
    "灵活就业养老保险断缴如何补缴": "按照现行政策，灵活就业人员中断缴费的，可在当年内补缴；"
    "跨年度补缴需符合相关规定。请携带身份证到就近社保经办机构咨询办理。",
    "高新区人才公寓申请条件": "在高新区注册企业就业、签订一年以上劳动合同且本人及配偶在本市无自有住房的硕士研究生可以申请。",
    "中考体育考试项目有哪些": "今年中考体育考试项目与去年保持一致，具体以市教育局发布的考试方案为准。",
    "关于优化营商环境的几点建议": "感谢您的建议。我委将会同市场监管部门推进电子营业执照在更多场景应用。",
}


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _staff(profile, role):
    group = profile.editors_group if role == "editor" else profile.reviewers_group
    return get_user_model().objects.filter(groups=group).order_by("pk").first() if group else None


def load(profiles, now):
    for kind, reply_days, extension_days in DEADLINES:
        DeadlineRule.objects.get_or_create(kind=kind, defaults=dict(
            reply_days=reply_days, extension_days=extension_days))
    for word in SENSITIVE_WORDS:
        SensitiveWord.objects.get_or_create(word=word)
    WorkCalendarDay.objects.get_or_create(date=date(2027, 1, 1),
                                          defaults=dict(is_workday=False, note="元旦"))
    ReplyTemplate.objects.get_or_create(title="转办告知", defaults=dict(
        body="您反映的问题已转交有关单位办理，请耐心等待答复。"))
    ReplyTemplate.objects.get_or_create(title="已办结告知", defaults=dict(
        body="您反映的问题已处理完毕，感谢您对我们工作的关心和支持。"))

    for key, faqs in FAQS.items():
        if key in profiles:
            for question, answer, keywords in faqs:
                FAQ.objects.create(unit=profiles[key], question=question, answer=answer,
                                   keywords=keywords)

    admin = _user("admin")
    for index, (site, unit, kind, title, content, name, phone, days_ago, path) in enumerate(
            MESSAGES):
        if site not in profiles or (unit and unit not in profiles):
            continue
        unit_profile = profiles.get(unit) if unit else None
        received = now - timedelta(days=days_ago, hours=index % 5)
        message, _created = actions.do_submit_message(
            site=profiles[site], unit=unit_profile, kind=kind, title=title, content=content,
            name=name, phone=phone, token=f"{index:032x}", now=received)
        if path == "received":
            continue
        editor = _staff(unit_profile, "editor") or admin
        reviewer = _staff(unit_profile, "reviewer") or admin
        step = received + timedelta(hours=2)
        message = actions.do_accept_message(message, admin, now=step)
        if path == "accepted":
            continue
        if editor is not None:
            message = actions.do_assign_message(message, admin, official=editor,
                                                now=step + timedelta(hours=1))
        if path in ("assigned", "overdue"):
            continue
        reply_at = received + timedelta(days=min(days_ago - 1, 4) if days_ago > 1 else 0,
                                        hours=3)
        message = actions.do_submit_reply(
            message, editor, text=REPLIES.get(title, "感谢您的来信，已转相关科室研究办理。"),
            now=reply_at)
        if path == "replied":
            continue
        message = actions.do_sign_off_reply(message, reviewer if reviewer != editor else admin,
                                            now=reply_at + timedelta(hours=2))
        if path == "closed":
            actions.do_rate_message(message, rating=5, comment="答复及时，感谢！",
                                    now=reply_at + timedelta(days=1))

    # What the scheduler would do next: receipt notices to the outbox, then delivery.
    actions.do_queue_receipt_notices(now=now)
    notify.deliver_pending()

    for key, kind, url, description, days_ago in [
        ("yunyan", "broken_link", "http://www-yunyan.localhost:8000/zwgk/", "政务公开栏目第二页链接打不开。", 1),
        ("jyj", "typo", "http://jyj-guiyang.localhost:8000/", "首页通知中“贵阳市教育局”误写为“贵阳市教肓局”。", 5),
        ("portal", "not_updated", "http://www-guiyang.localhost:8000/", "“统计数据”栏目三个月未更新。", 10),
    ]:
        if key in profiles:
            report, _created = actions.do_submit_error_report(
                site=profiles[key], page_url=url, kind=kind, description=description,
                token=f"e{days_ago:031x}", now=now - timedelta(days=days_ago))
            if days_ago >= 10 and admin:
                actions.do_answer_error_report(report, admin, reply="已更新栏目数据，感谢指正。",
                                               now=now - timedelta(days=days_ago - 1))

    if "fgw" in profiles:
        open_one = Consultation.objects.create(
            site=profiles["fgw"], title="《贵阳市优化营商环境若干措施（征求意见稿）》公开征求意见",
            summary="为进一步优化营商环境，市发展改革委起草了本措施，现公开征求社会各界意见。",
            draft_text="<p>第一条　为持续优化营商环境，激发市场主体活力，制定本措施。</p>"
                       "<p>第二条　推行企业开办“一网通办”，全程网上办理时间压缩至1个工作日以内。</p>",
            opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=20))
        ConsultationComment.objects.create(
            consultation=open_one, name="黄志刚", content="建议明确“一网通办”的具体入口和咨询电话。",
            state=ConsultationComment.State.APPROVED, idempotency_token="c" * 32,
            submitted_at=now - timedelta(days=3))
    if "jyj" in profiles:
        closed = Consultation.objects.create(
            site=profiles["jyj"], title="《贵阳市中小学课后服务管理办法（征求意见稿）》",
            summary="现就中小学课后服务管理办法公开征求意见。",
            draft_text="<p>第一条　课后服务坚持学生自愿参加原则。</p><p>第二条　课后服务时间一般不早于17:30结束。</p>",
            opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=30),
            feedback_report="<p>征求意见期间共收到意见建议3条，经研究采纳2条，未采纳1条。</p>",
            feedback_published_at=now - timedelta(days=20))
        for n, (name, content, adopted, note) in enumerate([
            ("何静", "建议课后服务增加体育和艺术类活动。", True, "已在第五条中增加相关内容。"),
            ("罗斌", "建议明确课后服务收费标准。", True, "已明确按成本补偿原则收费。"),
            ("谢丽", "建议课后服务延长至晚上八点。", False, "考虑学生休息时间，暂不延长。"),
        ]):
            ConsultationComment.objects.create(
                consultation=closed, name=name, content=content, adopted=adopted,
                adoption_note=note, state=ConsultationComment.State.APPROVED,
                idempotency_token=f"d{n:031x}", submitted_at=now - timedelta(days=40 + n))

    if "portal" in profiles:
        survey = Survey.objects.create(
            site=profiles["portal"], title="贵阳市政府网站满意度调查",
            intro="为提升政府网站服务水平，诚邀您参与本次调查，约需2分钟。",
            opens_at=now - timedelta(days=5), closes_at=now + timedelta(days=25))
        _questions(survey)
        past = Survey.objects.create(
            site=profiles["portal"], title="2026年“我为政府网站找错”活动调查",
            intro="了解网民对网站纠错渠道的使用情况。",
            opens_at=now - timedelta(days=90), closes_at=now - timedelta(days=60))
        questions = _questions(past)
        for n in range(12):
            response = past.responses.create(visitor_hash=visitor_hash(f"demo-{n}"),
                                             submitted_at=now - timedelta(days=70))
            response.answers.create(question=questions[0], value=["很满意", "满意", "一般"][n % 3])
            response.answers.create(question=questions[1], value=["信息公开", "办事服务"][n % 2])
            response.answers.create(question=questions[2], value=str(3 + n % 3))

    for key, title, guests, offset_hours, duration in [
        ("jyj", "2026年秋季学期义务教育招生政策解读", "市教育局副局长 王立新", -0.5, 3),
        ("rsj", "稳就业促创业政策在线访谈", "市人力资源和社会保障局局长 杨帆", -24 * 14, 2),
    ]:
        if key not in profiles:
            continue
        start = now + timedelta(hours=offset_hours)
        interview = Interview.objects.create(
            site=profiles[key], title=title, guests=guests,
            description=f"本期访谈邀请{guests}做客，解读相关政策并回答网友提问。",
            starts_at=start, ends_at=start + timedelta(hours=duration))
        for n, (asker, question, answer) in enumerate([
            ("林城网友", "今年的政策和去年相比有哪些变化？", "今年主要在简化材料和网上办理方面做了优化。"),
            ("筑城市民", "网上办理入口在哪里？", "可通过贵阳市政府门户网站“办事服务”栏目进入。"),
        ]):
            InterviewQuestion.objects.create(
                interview=interview, asker=asker, content=question, answer=answer,
                answered_by=guests.split()[-1], state=InterviewQuestion.State.APPROVED,
                published_at=start + timedelta(minutes=10 + n * 5),
                submitted_at=start - timedelta(hours=1), idempotency_token=f"f{interview.pk:015x}{n:016x}")


def _questions(survey):
    return [
        SurveyQuestion.objects.create(survey=survey, sort_order=0, text="您对政府网站的总体评价",
                                      kind="single", options="很满意\n满意\n一般\n不满意"),
        SurveyQuestion.objects.create(survey=survey, sort_order=1, text="您最常使用哪些栏目（可多选）",
                                      kind="multiple", options="信息公开\n办事服务\n互动交流"),
        SurveyQuestion.objects.create(survey=survey, sort_order=2, text="网站检索功能好用程度",
                                      kind="rating"),
        SurveyQuestion.objects.create(survey=survey, sort_order=3, text="您的其他意见建议",
                                      kind="text", required=False),
    ]

