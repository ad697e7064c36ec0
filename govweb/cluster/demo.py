"""The demo cluster: nine Guiyang government sites with realistic Chinese content.

Everything comes from `demo_content` and is deterministic; dates are relative to the day the
demo is loaded so that it always looks current (news within the last weeks).
"""

import importlib
import importlib.util
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Page, Site

from . import demo_content
from .actions import do_create_site
from .models import CityBrand, SiteProfile, SiteStatus

PASSWORD_FILE_NAME = "demo-users.txt"
# Apps whose `demo.load(profiles, now)` adds to the demo cluster, in dependency order.
DEMO_APPS = ["library", "disclosure", "reprint", "services", "interaction", "search", "analytics", "supervision"]


def password_file():
    return settings.DATA_DIR / PASSWORD_FILE_NAME


def demo_is_loaded():
    return SiteProfile.objects.exists()


def _item_time(now, days_ago, hhmm):
    hour, minute = (int(part) for part in hhmm.split(":"))
    day = (now - timedelta(days=days_ago)).date()
    published = timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))
    # Early in the morning "today 10:36" is still ahead: a demo item is never dated in the
    # future (the supervision rule would rightly flag it).
    while published > now:
        published -= timedelta(days=1)
    return published


@transaction.atomic
def clear_demo():
    """Remove every site, page, profile and demo user (for `govweb demo`)."""
    from govweb.library.models import SiteHomePage

    usernames = [u["username"] for u in demo_content.DEMO_USERS]
    get_user_model().objects.filter(username__in=usernames).delete()
    profiles = list(SiteProfile.objects.all())
    groups = [g for p in profiles for g in (p.editors_group, p.reviewers_group) if g]
    collections = [p.collection for p in profiles if p.collection]
    SiteProfile.objects.all().delete()
    Site.objects.all().delete()
    for group in groups:
        group.delete()
    for collection in collections:
        collection.delete()
    for home in SiteHomePage.objects.all():
        home.delete()


@transaction.atomic
def load_demo(now=None, progress=None):
    """Create the demo cluster. Returns {username: password} for the demo accounts."""
    from govweb.library.models import ArticlePage, ColumnPage

    now = now or timezone.now()
    brand = CityBrand.load()
    for field, value in demo_content.CITY_BRAND.items():
        setattr(brand, field, value)
    brand.save()

    # Wagtail's initial migration creates a "Welcome" page and default site: replace them.
    Site.objects.filter(profile__isnull=True).delete()
    Page.objects.filter(depth=2, content_type__model="page").delete()

    profiles = {}
    for spec in demo_content.SITES:
        profile = do_create_site(
            home_title=spec["name"],
            home_slug=spec["key"],
            is_default=spec["category"] == "portal",
            profile_fields=dict(
                organisation=spec["name"], short_name=spec["short_name"],
                category=spec["category"],
                parent=profiles.get(spec["parent"]),
                domain=spec["domain"], chinese_domain=spec["chinese_domain"],
                id_code=spec["id_code"], org_code=spec["org_code"], icp_number=spec["icp"],
                police_filing_number=spec["police_filing"], sponsor=spec["sponsor"],
                operator=spec["operator"], address=spec["address"], postcode=spec["postcode"],
                phone=spec["phone"], email=spec["email"],
                security_officer=spec["security_officer"], description=spec["description"],
                status=SiteStatus.ONLINE,
            ),
        )
        profiles[spec["key"]] = profile
        home = profile.site.root_page
        columns = {}
        for column_spec in spec["columns"]:
            columns[column_spec["slug"]] = home.add_child(instance=ColumnPage(
                title=column_spec["title"], slug=column_spec["slug"], kind=column_spec["kind"],
                description=column_spec["description"], keywords=column_spec["keywords"],
                show_in_menus=True,
                first_published_at=now, last_published_at=now,
            ))
        for item in spec["items"]:
            published = _item_time(now, item["days_ago"], item["time"])
            body = [("paragraph", f"<p>{escape(p)}</p>") for p in item["paragraphs"]]
            columns[item["column"]].add_child(instance=ArticlePage(
                title=item["title"], pub_date=published, source=item["source"],
                author=item["author"], summary=item["summary"], body=body,
                first_published_at=published, last_published_at=published,
            ))
        if progress:
            progress(spec)

    passwords = _create_users(profiles)
    # Each domain app adds its own demo data: `govweb.<app>.demo.load(profiles, now)`.
    for app in DEMO_APPS:
        module_name = f"govweb.{app}.demo"
        if importlib.util.find_spec(module_name):
            importlib.import_module(module_name).load(profiles, now)
    return passwords


def _create_users(profiles):
    User = get_user_model()
    passwords, lines = {}, []
    for spec in demo_content.DEMO_USERS:
        password = secrets.token_urlsafe(9)
        user = User.objects.create_user(
            username=spec["username"], password=password,
            first_name=spec["full_name"], email=f"{spec['username']}@example.gov.cn",
            is_staff=spec["role"] == "cluster_admin",
            is_superuser=spec["role"] == "cluster_admin",
        )
        if spec["site"]:
            profile = profiles[spec["site"]]
            group = profile.editors_group if spec["role"] == "editor" else profile.reviewers_group
            user.groups.add(group)
        passwords[spec["username"]] = password
        site_name = profiles[spec["site"]].organisation if spec["site"] else "全部网站"
        lines.append(f"{spec['username']}\t{password}\t{spec['role']}\t{site_name}")
    path = password_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return passwords
