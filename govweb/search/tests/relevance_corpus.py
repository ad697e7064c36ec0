"""A labelled query set for relevance (相关性评测): 30 citizen needs × 2 phrasings = 60 queries
over a generated corpus (plus the demo cluster as realistic noise), with graded judgements:

3  the item is about this need (a guide or notice with the need in its title)
2  the item discusses the need in its body (news about the service)
1  the item mentions the need in passing (a round-up of many services)

Demo items whose title holds every word of a need's `core` count as 2.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# (phrase used in documents, words a title must hold to count, extra words, two queries)
NEEDS = [
    ("住房公积金提取", ("公积金", "提取"), "租房 购房 退休", ["公积金怎么提取", "租房提取公积金"]),
    ("住房公积金贷款", ("公积金", "贷款"), "额度 首套房 利率", ["公积金贷款", "公积金贷款额度"]),
    ("企业设立登记营业执照", ("营业执照",), "开办 公司 全程网办", ["营业执照办理", "开公司办营业执照"]),
    ("社会保障卡补办", ("社会保障卡",), "丢失 挂失 补领", ["社保卡丢了怎么补办", "社保卡补办"]),
    ("城乡居民医疗保险参保缴费", ("医疗保险", "缴费"), "参保 缴费标准", ["医保缴费", "城乡居民医保参保"]),
    ("最低生活保障申请", ("最低生活保障",), "申请条件 家庭收入", ["低保申请条件", "如何申请低保"]),
    ("义务教育招生入学", ("招生", "入学"), "小学 报名 学位", ["小学入学报名", "义务教育入学"]),
    ("不动产登记", ("不动产登记",), "不动产权证书 过户", ["不动产登记", "不动产权证书办理"]),
    ("新生儿户口登记", ("新生儿", "户口"), "出生医学证明 落户", ["新生儿落户", "新生儿上户口"]),
    ("居民身份证办理", ("身份证",), "补领 换领 临时身份证", ["身份证补办", "办身份证"]),
    ("失业保险金申领", ("失业保险金",), "失业金 申领条件", ["失业金怎么领", "失业保险金申领"]),
    ("创业担保贷款", ("创业担保贷款",), "贴息 小微企业", ["创业贷款", "创业担保贷款申请"]),
    ("高校毕业生就业补贴", ("高校毕业生", "补贴"), "见习 社保补贴", ["毕业生就业补贴", "高校毕业生就业"]),
    ("人才引进", ("人才引进",), "住房补贴 安家费 高层次人才", ["人才引进政策", "引进人才住房补贴"]),
    ("养老保险待遇领取", ("养老保险", "待遇"), "养老金 退休 资格认证", ["退休人员养老金领取", "养老保险待遇"]),
    ("公共租赁住房申请", ("公共租赁住房",), "保障 轮候 租金", ["公租房申请", "公共租赁住房"]),
    ("食品经营许可证", ("食品经营许可证",), "餐饮 核发 延续", ["食品经营许可证办理", "食品经营许可"]),
    ("建设工程规划许可证", ("规划许可证",), "建设单位 核发", ["建设工程规划许可证", "规划许可办理"]),
    ("老旧小区改造", ("老旧小区",), "加装电梯 管网 外立面", ["老旧小区改造", "老旧小区加装电梯"]),
    ("家庭医生签约服务", ("家庭医生",), "签约 慢病 随访", ["家庭医生签约", "签约家庭医生"]),
    ("流感疫苗接种", ("疫苗", "接种"), "接种点 老年人 儿童", ["流感疫苗接种", "疫苗接种点"]),
    ("生活垃圾分类", ("垃圾分类",), "投放 厨余垃圾 可回收物", ["垃圾分类", "生活垃圾分类投放"]),
    ("12345政务服务便民热线", ("12345",), "诉求 工单 满意度", ["12345热线", "市长热线"]),
    ("政府信息公开申请", ("信息公开", "申请"), "依申请公开 答复期限", ["依申请公开", "政府信息公开申请"]),
    ("残疾人两项补贴", ("残疾人", "补贴"), "困难残疾人生活补贴 护理补贴", ["残疾人补贴", "残疾人两项补贴"]),
    ("出入境证件办理", ("出入境",), "护照 港澳通行证 签注", ["护照办理", "出入境证件"]),
    ("个体工商户登记", ("个体工商户",), "经营者 字号 营业执照", ["个体工商户注册", "个体户营业执照"]),
    ("失业保险稳岗返还", ("稳岗返还",), "企业 裁员率 返还比例", ["稳岗返还", "失业保险稳岗返还"]),
    ("职业技能培训补贴", ("职业技能培训",), "培训补贴 技能等级证书", ["技能培训补贴", "职业技能培训"]),
    ("消费券发放", ("消费券",), "商户 核销 领取", ["消费券领取", "发放消费券"]),
]
SITES = ["portal", "yunyan", "nanming", "guanshanhu", "gaoxin", "rsj", "jyj", "fgw", "dsj"]
FILLER = [
    "市政府召开常务会议研究部署近期重点工作", "全市安全生产工作电视电话会议召开",
    "市领导调研重大项目建设推进情况", "全市防汛抗旱工作会议召开", "全市文明城市创建推进会召开",
    "市政府与高校签署战略合作协议", "全市森林防火工作会议召开", "市人大常委会视察营商环境工作",
    "全市统计工作会议召开", "全市信访工作联席会议召开", "全市审计整改工作推进会召开",
    "全市乡村振兴重点项目观摩会举行", "市政府新闻发布会介绍前三季度经济运行情况",
]


def generate(now=None):
    """[(key, title, body, type, site, date, {need index: grade})] — deterministic."""
    now = now or datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    items = []

    def add(title, body, type_, labels, i):
        items.append((f"gen:{len(items)}", title, body, type_, SITES[i % len(SITES)],
                      now - timedelta(days=(i * 7) % 700), labels))

    for n, (phrase, _core, extra, _queries) in enumerate(NEEDS):
        add(f"{phrase}办事指南",
            f"本指南说明{phrase}的办理条件、申请材料、办理流程和时限。{extra}。"
            f"申请人可通过贵州政务服务网或政务服务中心窗口办理{phrase}，材料齐全的当场受理。",
            "service", {n: 3}, n)
        add(f"关于进一步做好{phrase}工作的通知",
            f"为方便群众办事，现就{phrase}有关事项通知如下：一、明确办理条件；二、精简申请材料；"
            f"三、压缩办理时限。{extra}。",
            "notice", {n: 3}, n + 1)
        add("我市持续优化政务服务 群众办事更便捷",
            f"今年以来，我市推动{phrase}实现网上办、掌上办，{phrase}平均办理时间压缩一半。"
            f"{extra}。下一步将继续提升服务质量。",
            "news", {n: 2}, n + 2)
        add(f"{SITES[n % len(SITES)]}片区政务服务站点服务升级",
            f"服务站点新增多项高频事项，其中{phrase}可就近办理，{extra}。",
            "news", {n: 2}, n + 3)
    # Round-ups that mention several needs once each.
    for n in range(len(NEEDS)):
        picks = [n, (n + 7) % len(NEEDS), (n + 13) % len(NEEDS)]
        names = "、".join(NEEDS[p][0] for p in picks)
        add("政务服务中心本周服务提示",
            f"本周政务服务中心各窗口正常办公，{names}等事项可预约办理，请群众合理安排时间。",
            "notice", {p: 1 for p in picks}, n + 4)
    for i in range(300):
        title = FILLER[i % len(FILLER)]
        add(title, f"{title}。会议强调，要坚持问题导向，狠抓工作落实，确保各项任务按期完成。",
            "news", {}, i)
    return items


def queries():
    """[(query, need index)]"""
    return [(q, n) for n, need in enumerate(NEEDS) for q in need[3]]
