"""The site registry (站群): every government website of the city and its national identifiers."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import Collection, Site

from .validators import (
    local_host_for,
    validate_gov_domain,
    validate_icp_number,
    validate_org_code,
    validate_police_filing,
    validate_site_id_code,
)


class SiteCategory(models.TextChoices):
    """网站类别 (R1.1): the portal leads, the others support it."""

    PORTAL = "portal", _("政府门户网站")
    DISTRICT = "district", _("区（市、县）政府网站")
    ZONE = "zone", _("开发区管委会网站")
    DEPARTMENT = "department", _("部门网站")
    OTHER = "other", _("其他公共服务组织网站")


class SiteStatus(models.TextChoices):
    """运行状态: a site goes online only after its approval chain is complete (R1.4)."""

    APPLYING = "applying", _("申请开设")
    ONLINE = "online", _("正常运行")
    CLOSED = "closed", _("已关停")
    MERGED = "merged", _("已整合")


@register_setting(icon="site")
class CityBrand(BaseGenericSetting):
    """城市统一标识: the banner mark every page carries, so another city can reuse the platform."""

    banner_mark = models.CharField(_("统一网站标志"), max_length=40, default="中国·贵阳")
    city_name = models.CharField(_("城市名称"), max_length=40, default="贵阳市")
    division_code = models.CharField(
        _("行政区划代码"), max_length=6, default="520100", help_text=_("6位行政区划代码")
    )
    province_short = models.CharField(_("省份简称"), max_length=2, default="黔")

    panels = [
        FieldPanel("banner_mark"),
        FieldPanel("city_name"),
        FieldPanel("division_code"),
        FieldPanel("province_short"),
    ]

    class Meta:
        verbose_name = _("城市统一标识")


class SiteProfileQuerySet(models.QuerySet):
    def online(self):
        return self.filter(status=SiteStatus.ONLINE)


class SiteProfile(models.Model):
    """网站档案: one per government website, holding what the national rules require of it."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="profile")
    organisation = models.CharField(
        _("网站名称（机构名称）"), max_length=100, unique=True,
        help_text=_("网站以本单位机构名称命名，如“贵阳市教育局”。"),
    )
    short_name = models.CharField(_("简称"), max_length=40)
    category = models.CharField(_("网站类别"), max_length=20, choices=SiteCategory.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级网站"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    domain = models.CharField(
        _("英文域名"), max_length=253, unique=True, validators=[validate_gov_domain],
        help_text=_("必须以 .gov.cn 结尾"),
    )
    chinese_domain = models.CharField(_("中文域名"), max_length=100, blank=True)
    id_code = models.CharField(
        _("网站标识码"), max_length=10, unique=True, validators=[validate_site_id_code]
    )
    org_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_org_code],
        help_text=_("用于生成信息公开索引号"),
    )
    icp_number = models.CharField(
        _("ICP备案号"), max_length=40, blank=True, validators=[validate_icp_number]
    )
    police_filing_number = models.CharField(
        _("公安机关备案号"), max_length=40, blank=True, validators=[validate_police_filing]
    )
    sponsor = models.CharField(_("主办单位"), max_length=100)
    operator = models.CharField(_("承办单位"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    security_officer = models.CharField(_("网站安全责任人"), max_length=100, blank=True)
    description = models.CharField(_("网站简介"), max_length=300, blank=True)
    status = models.CharField(
        _("运行状态"), max_length=20, choices=SiteStatus.choices, default=SiteStatus.APPLYING
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("整合至"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    editors_group = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    reviewers_group = models.OneToOneField(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    collection = models.OneToOneField(
        Collection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = SiteProfileQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [FieldPanel("organisation"), FieldPanel("short_name"), FieldPanel("category"),
             FieldPanel("parent"), FieldPanel("status"), FieldPanel("merged_into")],
            heading=_("网站基本信息"),
        ),
        MultiFieldPanel(
            [FieldPanel("domain"), FieldPanel("chinese_domain"), FieldPanel("id_code"),
             FieldPanel("org_code"), FieldPanel("icp_number"), FieldPanel("police_filing_number")],
            heading=_("域名与备案"),
        ),
        MultiFieldPanel(
            [FieldPanel("sponsor"), FieldPanel("operator"), FieldPanel("address"),
             FieldPanel("postcode"), FieldPanel("phone"), FieldPanel("email"),
             FieldPanel("security_officer"), FieldPanel("description")],
            heading=_("主办与联系"),
        ),
    ]

    class Meta:
        verbose_name = _("网站")
        verbose_name_plural = _("网站")
        ordering = ["id"]

    def __str__(self):
        return self.organisation

    def clean(self):
        super().clean()
        if self.domain:
            self.domain = self.domain.strip().lower()
        errors = {}
        if self.parent_id:
            # Walk up from the chosen parent: meeting ourselves means a cycle.
            seen, node = set(), self.parent
            while node is not None:
                if (self.pk and node.pk == self.pk) or node.pk in seen:
                    errors["parent"] = _("上级网站不能形成循环（不能选择自身或自身的下级网站）。")
                    break
                seen.add(node.pk)
                node = node.parent
        if self.category == SiteCategory.PORTAL and self.parent_id:
            errors["parent"] = _("政府门户网站不设上级网站。")
        if self.status == SiteStatus.MERGED and not self.merged_into_id:
            errors["merged_into"] = _("已整合的网站必须指明整合至哪个网站。")
        if errors:
            raise ValidationError(errors)

    @property
    def served_host(self):
        """The host name the public role answers to for this site."""
        return local_host_for(self.domain) if settings.GOVWEB_LOCAL_HOSTS else self.domain

    @property
    def police_filing_digits(self):
        return "".join(ch for ch in self.police_filing_number if ch.isdigit())

    @property
    def public_url(self):
        return self.site.root_url + "/"

    def sync_site(self):
        """Keep the Wagtail Site's host, port and name in step with the profile."""
        site = self.site
        site.hostname = self.served_host
        site.port = settings.GOVWEB_PUBLIC_PORT
        site.site_name = self.organisation
        site.save()
