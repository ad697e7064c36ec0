"""The cluster-wide disclosure taxonomies shipped as data (loaded by migration 0002).

主题分类: the national topic classification used by 政府信息公开目录 (two levels, shown as
`综合政务\\政务公开`). 体裁分类: document genres (the 15 official document kinds of the
《党政机关公文处理工作条例》 plus plans and rules). 服务对象: audiences.
Codes are stable: imports and URLs refer to them.
"""

TOPICS = [
    ("01", "综合政务", ["应急管理", "政务督查", "政务公开", "电子政务", "信访", "其他"]),
    ("02", "国民经济管理、国有资产监管", ["发展规划", "经济体制改革", "节能与资源综合利用", "价格",
                                  "国有资产监管", "统计", "其他"]),
    ("03", "财政、金融、审计", ["财政", "税务", "金融", "审计", "其他"]),
    ("04", "国土资源、能源", ["土地", "矿产", "能源", "地质", "其他"]),
    ("05", "农业、林业、水利", ["农业、畜牧业、渔业", "林业", "水利", "扶贫", "其他"]),
    ("06", "工业、交通", ["工业", "信息产业（含电信）", "交通", "邮政", "其他"]),
    ("07", "商贸、海关、旅游", ["国内贸易（含供销）", "对外经贸合作", "海关", "旅游", "其他"]),
    ("08", "市场监管、安全生产监管", ["市场监管", "质量监督", "食品药品监管", "安全生产监管", "其他"]),
    ("09", "城乡建设、环境保护", ["城市规划", "城乡建设（含住房）", "节能减排", "环境监测、保护与治理",
                          "气象、水文、测绘、地震", "其他"]),
    ("10", "科技、教育", ["科技", "教育", "知识产权", "其他"]),
    ("11", "文化、广电、新闻出版", ["文化", "广播、电影、电视", "新闻出版", "文物", "其他"]),
    ("12", "卫生、体育", ["卫生", "医药管理", "体育", "其他"]),
    ("13", "人口与计划生育、妇女儿童工作", ["人口与计划生育", "妇女儿童", "其他"]),
    ("14", "劳动、人事、监察", ["劳动就业", "社会保障", "人事工作", "机构编制", "监察", "其他"]),
    ("15", "公安、安全、司法", ["公安", "安全", "司法", "其他"]),
    ("16", "民政、扶贫、救灾", ["社会福利", "减灾救灾", "社团管理", "行政区划与地名", "优抚安置", "其他"]),
    ("17", "民族、宗教", ["民族事务", "宗教事务", "其他"]),
    ("18", "对外事务", ["外事", "其他"]),
    ("19", "港澳台侨工作", ["港澳工作", "台湾工作", "侨务工作", "其他"]),
    ("20", "国防", ["国防动员", "其他"]),
    ("21", "其他", []),
]

GENRES = [
    ("01", "决议"), ("02", "决定"), ("03", "命令（令）"), ("04", "公报"), ("05", "公告"),
    ("06", "通告"), ("07", "意见"), ("08", "通知"), ("09", "通报"), ("10", "报告"),
    ("11", "请示"), ("12", "批复"), ("13", "议案"), ("14", "函"), ("15", "纪要"),
    ("16", "规划"), ("17", "计划"), ("18", "方案"), ("19", "办法"), ("20", "规定"),
    ("21", "细则"), ("22", "其他"),
]

AUDIENCES = [
    ("01", "社会公众"), ("02", "企业"), ("03", "社会组织"), ("04", "公职人员"),
    ("05", "老年人"), ("06", "学生及家长"), ("07", "残疾人"), ("08", "其他"),
]


def topic_rows():
    """(code, name, parent_code) for every topic, parents first; sub-codes are parent + 2 digits."""
    rows = []
    for code, name, children in TOPICS:
        rows.append((code, name, None))
        for n, child in enumerate(children, start=1):
            rows.append((f"{code}{n:02d}", child, code))
    return rows


def load_taxonomy(TopicCategory, Genre, Audience):
    """Create or refresh the standard terms (used by migration 0002 and the demo loader)."""
    by_code = {}
    for code, name, parent_code in topic_rows():
        by_code[code], _ = TopicCategory.objects.update_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent_code)},
        )
    for code, name in GENRES:
        Genre.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in AUDIENCES:
        Audience.objects.update_or_create(code=code, defaults={"name": name})
