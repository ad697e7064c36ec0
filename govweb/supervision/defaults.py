"""Default scoring indicators and wrong/forbidden expressions, installed by migration 0002.

Point values of the scored indicators are not confirmed nationally (NATIONAL.md); the general
office edits them in the admin (监管考核 › 考核指标).
"""

INDICATORS = [
    # code, name, points, is_veto, rules, description
    ("serious", "严重表述错误、泄露秘密、违法违规内容", 0, True, "forbidden_expressions",
     "出现严重错误表述、泄密或违法有害信息，或篡改、挂马未及时处置"),
    ("unreachable", "站点无法访问", 0, True, "home_reachability", "监测1周，15秒内无法打开的比例≥5%"),
    ("home_stale", "首页不更新", 0, True, "home_update", "首页栏目信息超过2周未更新"),
    ("columns_stale", "栏目不更新", 0, True, "column_update,empty_columns",
     "≥5个栏目未按时更新，或≥10个栏目长期未更新，或≥5个空白栏目"),
    ("poor_interaction", "互动回应差", 0, True, "interaction_replies", "有效留言超过3个月未答复"),
    ("services_unusable", "服务不实用", 0, True, "service_guides", "≥5个办事指南各缺少4项以上要素"),
    ("home_availability", "首页可用性", 10, False, "home_reachability", ""),
    ("links", "链接可用性", 10, False, "broken_links", "首页及其他页面不可用链接，每个扣2分"),
    ("home_columns", "首页栏目更新", 15, False, "home_update,column_update", ""),
    ("basic_info", "基本信息更新", 15, False, "empty_columns,publication_time", ""),
    ("enquiries", "咨询留言办理", 10, False, "interaction_replies,error_reports", ""),
    ("surveys", "调查征集", 10, False, "", ""),
    ("interviews", "在线访谈", 5, False, "", ""),
    ("guides", "办事指南", 15, False, "service_guides", ""),
    ("reprint", "重要信息转载", 5, False, "reprint", ""),
    ("systems", "在线系统", 5, False, "", ""),
]

EXPRESSIONS = [
    # text, kind, suggestion, severity
    ("国家工商行政管理总局", "outdated", "国家市场监督管理总局", "problem"),
    ("国家卫生和计划生育委员会", "outdated", "国家卫生健康委员会", "problem"),
    ("国家安全生产监督管理总局", "outdated", "应急管理部", "problem"),
    ("国家旅游局", "outdated", "文化和旅游部", "problem"),
    ("贵阳市国土资源局", "outdated", "贵阳市自然资源和规划局", "problem"),
    ("贵阳市教肓局", "miswritten", "贵阳市教育局", "problem"),
    ("人民政付", "miswritten", "人民政府", "problem"),
    ("中华人名共和国", "miswritten", "中华人民共和国", "veto"),
    ("观山糊区", "miswritten", "观山湖区", "problem"),
    ("枪支出售", "sensitive", "", "veto"),
    ("办证刻章", "sensitive", "", "veto"),
]


def install(indicator_model, expression_model):
    for order, (code, name, points, is_veto, rules, description) in enumerate(INDICATORS):
        indicator_model.objects.get_or_create(code=code, defaults=dict(
            name=name, points=points, is_veto=is_veto, rules=rules, description=description, order=order))
    for text, kind, suggestion, severity in EXPRESSIONS:
        expression_model.objects.get_or_create(text=text, defaults=dict(
            kind=kind, suggestion=suggestion, severity=severity))
