"""Formats fixed by the national rules (NATIONAL.md): domains, site identification codes, filings."""

import re

from django.core.exceptions import ValidationError

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
GOV_DOMAIN_RE = re.compile(rf"^(?:{_LABEL}\.)+gov\.cn$")
SITE_ID_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$")
ICP_RE = re.compile(r"^[\u4e00-\u9fa5]ICP备\d{8}号(?:-\d+)?$")
POLICE_FILING_RE = re.compile(r"^[\u4e00-\u9fa5]公网安备\d{14}号$")
ORG_CODE_RE = re.compile(r"^(?:[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}|[0-9A-Z]{9})$")


def validate_gov_domain(value):
    """Government sites use English domains ending in .gov.cn and nothing else (R1.2)."""
    if not GOV_DOMAIN_RE.match((value or "").strip().lower()):
        raise ValidationError(
            "英文域名必须以 .gov.cn 结尾（例如 www.guiyang.gov.cn），不得使用其他后缀。",
            code="gov_domain",
        )


def validate_site_id_code(value):
    """政府网站标识码: 10 digits for local sites, or "bm" + 8 digits for State Council departments."""
    if not SITE_ID_CODE_RE.match(value or ""):
        raise ValidationError(
            "网站标识码应为10位数字（如 5201000001），或 bm 加8位数字（如 bm07000001）。",
            code="site_id_code",
        )


def validate_icp_number(value):
    if value and not ICP_RE.match(value):
        raise ValidationError("ICP备案号格式应如：黔ICP备05000001号。", code="icp")


def validate_police_filing(value):
    if value and not POLICE_FILING_RE.match(value):
        raise ValidationError("公安机关备案号格式应如：黔公网安备52010302000001号。", code="police_filing")


def validate_org_code(value):
    """统一社会信用代码 (18 characters) or the old 9-character organisation code."""
    if value and not ORG_CODE_RE.match(value):
        raise ValidationError(
            "机构代码应为18位统一社会信用代码或9位组织机构代码。", code="org_code"
        )


def local_host_for(domain):
    """The loopback host a site answers on in the demo: www.guiyang.gov.cn → www-guiyang.localhost.

    Browsers resolve every *.localhost name to 127.0.0.1, so no DNS set-up is needed.
    """
    stem = domain.lower().removesuffix(".gov.cn")
    return stem.replace(".", "-") + ".localhost"
