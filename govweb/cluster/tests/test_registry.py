"""The site registry refuses what the national rules forbid, naming the field, saving nothing."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page, Site

from govweb.cluster.actions import do_create_site
from govweb.cluster.models import SiteProfile
from govweb.cluster.validators import local_host_for

pytestmark = pytest.mark.django_db


def fields(**overrides):
    base = dict(
        organisation="贵阳市林业局", short_name="市林业局", category="department",
        domain="lyj.guiyang.gov.cn", id_code="5201000099", sponsor="贵阳市林业局",
        icp_number="黔ICP备05009999号", police_filing_number="黔公网安备52010302009999号",
        org_code="11520100MB1234567X", status="online",
    )
    base.update(overrides)
    return base


def create(**overrides):
    return do_create_site(home_title="贵阳市林业局", home_slug="lyj", profile_fields=fields(**overrides))


def test_a_valid_site_gets_home_site_and_groups():
    profile = create()
    assert profile.site.hostname == local_host_for("lyj.guiyang.gov.cn") == "lyj-guiyang.localhost"
    assert profile.site.root_page.title == "贵阳市林业局"
    assert profile.editors_group.name == "贵阳市林业局 editors"
    assert profile.reviewers_group.page_permissions.filter(page=profile.site.root_page).exists()


@pytest.mark.parametrize("field, value, message", [
    ("domain", "lyj.guiyang.com", ".gov.cn"),
    ("domain", "lyj.gov.cn.evil.com", ".gov.cn"),
    ("id_code", "52010000", "10位数字"),
    ("id_code", "5201000001", "已存在"),  # the portal's code
    ("domain", "www.guiyang.gov.cn", "已存在"),
    ("icp_number", "ICP 12345", "ICP备案号"),
    ("police_filing_number", "公网安备1", "公安机关备案号"),
])
def test_bad_values_are_refused_naming_the_field(field, value, message):
    pages_before, sites_before = Page.objects.count(), Site.objects.count()
    with pytest.raises(ValidationError) as refused:
        create(**{field: value})
    assert field in refused.value.message_dict
    assert message in " ".join(refused.value.message_dict[field])
    assert (Page.objects.count(), Site.objects.count()) == (pages_before, sites_before)
    assert not SiteProfile.objects.filter(organisation="贵阳市林业局").exists()


def test_bm_codes_are_accepted():
    assert create(id_code="bm07000001").id_code == "bm07000001"


def test_a_parent_cycle_is_refused():
    portal = SiteProfile.objects.get(category="portal")
    jyj = SiteProfile.objects.get(domain="jyj.guiyang.gov.cn")
    jyj.parent = portal
    jyj.save()
    portal.category = "other"
    portal.parent = jyj
    with pytest.raises(ValidationError) as refused:
        portal.full_clean()
    assert "parent" in refused.value.message_dict
    self_parent = SiteProfile.objects.get(pk=jyj.pk)
    self_parent.parent = self_parent
    with pytest.raises(ValidationError):
        self_parent.full_clean()
