"""Helpers for supervision tests: a fixed clock and a bare site to craft data on."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from govweb.cluster.actions import do_create_site
from govweb.library.models import ArticlePage, ColumnKind, ColumnPage

# A fixed clock: Wednesday 2026-06-17 10:00 in Guiyang.
T = timezone.make_aware(dt.datetime(2026, 6, 17, 10, 0))
_counter = itertools.count(1)


@pytest.fixture
def now():
    return T


@pytest.fixture
def bare_site(db):
    """A new online site with no column yet; its home page last published long ago."""
    n = next(_counter)
    profile = do_create_site(home_title=f"测试县{n}人民政府", home_slug=f"ceshi{n}", profile_fields=dict(
        organisation=f"测试县{n}人民政府", short_name=f"测试县{n}", category="district",
        domain=f"www.ceshi{n}.gov.cn", id_code=f"52019{n:05d}", sponsor=f"测试县{n}人民政府办公室",
        status="online", email=f"ceshi{n}@example.gov.cn", security_officer="张安全"))
    home = profile.site.root_page
    type(home).objects.filter(pk=home.pk).update(last_published_at=T - dt.timedelta(days=400))
    profile.site.root_page.refresh_from_db()
    return profile


def add_column(profile, slug, kind=ColumnKind.NEWS, **extra):
    home = profile.site.root_page
    return home.add_child(instance=ColumnPage(title=extra.pop("title", slug), slug=slug, kind=kind, **extra))


def add_item(column, published, title="测试信息", html="<p>正文。</p>"):
    return column.add_child(instance=ArticlePage(title=title, pub_date=published, body=[("paragraph", html)],
                                                 first_published_at=published, last_published_at=published))
