"""Demo search settings: the general office's synonyms, best bets and hot words; then the
first index build (the demo creates pages without publishing them one by one)."""

from .actions import do_rebuild_index
from .models import BestBet, HotKeyword, SynonymGroup

SYNONYMS = [
    ("社保,社会保险", True),
    ("公积金,住房公积金", False),
    ("医保,医疗保险,基本医疗保险", True),
    ("低保,最低生活保障", True),
    ("营业执照,工商执照", True),
    ("身份证,居民身份证", True),
    ("户口,户籍", True),
    ("发改委,发展和改革委员会", True),
    ("人社局,人力资源和社会保障局", True),
    ("公租房,公共租赁住房", True),
    ("退休,退休金,养老金", False),
    ("落户,户口迁入", True),
    ("补办,补领,补换", True),
    ("12345,市长热线,政务服务便民热线", True),
]

BEST_BETS = [
    {
        "query": "营业执照,办营业执照,营业执照办理,注册公司,开公司",
        "title": "企业设立登记（营业执照办理）",
        "url": "https://www.guiyang.gov.cn/search/?q=营业执照",
        "description": "新办企业、个体工商户申领营业执照，全程网办，一般当场或1个工作日内办结。",
        "facts": "办理部门：贵阳市市场监督管理局\n承诺时限：1个工作日\n收费标准：不收费\n"
                 "办理地点：贵阳市政务服务中心市场监管窗口\n咨询电话：0851-12345",
        "action_label": "在线办理",
        "action_url": "https://zwfw.guizhou.gov.cn/",
    },
    {
        "query": "公积金提取,提取公积金,住房公积金提取,公积金取出",
        "title": "住房公积金提取",
        "url": "https://www.guiyang.gov.cn/search/?q=住房公积金提取",
        "description": "购房、租房、退休、偿还住房贷款等情形提取住房公积金，手机端可全程办理。",
        "facts": "办理部门：贵阳市住房公积金管理中心\n承诺时限：即时办结（租房提取）\n"
                 "收费标准：不收费\n申请材料：身份证、银行卡、相关证明材料\n咨询电话：0851-12329",
        "action_label": "在线办理",
        "action_url": "https://zwfw.guizhou.gov.cn/",
    },
    {
        "query": "社保卡,社保卡办理,补办社保卡",
        "title": "社会保障卡申领与补换",
        "url": "https://www.guiyang.gov.cn/search/?q=社会保障卡",
        "description": "首次申领、损坏换领、遗失补领社会保障卡。",
        "facts": "办理部门：贵阳市人力资源和社会保障局\n承诺时限：即时制卡\n收费标准：首次申领免费\n"
                 "咨询电话：0851-12333",
        "action_label": "在线办理",
        "action_url": "https://zwfw.guizhou.gov.cn/",
    },
    {
        "query": "低保,低保申请,最低生活保障",
        "title": "城乡居民最低生活保障申请",
        "url": "https://www.guiyang.gov.cn/search/?q=最低生活保障",
        "description": "家庭人均收入低于当地低保标准且财产符合规定的城乡居民，可向户籍所在地乡镇（街道）申请。",
        "facts": "受理单位：户籍所在地乡镇人民政府（街道办事处）\n办理时限：30个工作日\n收费标准：不收费",
        "action_label": "在线申请",
        "action_url": "https://zwfw.guizhou.gov.cn/",
    },
]

HOT_KEYWORDS = ["公积金提取", "营业执照", "社保卡", "义务教育入学", "不动产登记", "医保报销",
                "人才引进", "低保"]


def load(profiles, now):
    SynonymGroup.objects.bulk_create(
        [SynonymGroup(terms=terms, two_way=two_way) for terms, two_way in SYNONYMS])
    BestBet.objects.bulk_create(
        [BestBet(sort_order=i, kind="service", match="contains", **spec)
         for i, spec in enumerate(BEST_BETS)])
    HotKeyword.objects.bulk_create(
        [HotKeyword(keyword=k, sort_order=i) for i, k in enumerate(HOT_KEYWORDS)])
    from .queries import bump_settings_version

    bump_settings_version()
    # Apps loaded after this one (and the rest of the demo transaction) add pages too: build
    # the index once everything is committed.
    from django.db import transaction

    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(do_rebuild_index)
    else:
        do_rebuild_index()
