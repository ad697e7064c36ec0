"""Writes on the services catalogue: ratings and their follow-ups, imports, views, tokens."""

import hashlib
import secrets

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from wagtail.log_actions import log

from govweb.interaction.workdays import add_working_days

from . import exchange
from .models import (
    ExchangeToken,
    FollowUpStatus,
    ImportRun,
    RatingFollowUp,
    ServiceItem,
    ServiceRating,
)

DEFAULT_FOLLOW_UP_WORKING_DAYS = 5
# Several people behind one address (a family, an office) may rate; a flood from one may not.
RATINGS_PER_ADDRESS_PER_ITEM_PER_DAY = 3


def follow_up_working_days():
    return getattr(settings, "SERVICES_FOLLOW_UP_WORKING_DAYS", DEFAULT_FOLLOW_UP_WORKING_DAYS)


def visitor_hash(visitor_id):
    """The stored form of a visitor cookie: salted with the secret key, never reversible."""
    return salted_hmac("govweb.services.visitor", visitor_id).hexdigest()


def address_hash(address):
    return salted_hmac("govweb.services.address", address or "").hexdigest()


class RatingRefused(Exception):
    """The rating was not counted; `reason` says why in words for the visitor."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def plain_text(text, limit=500):
    """User text with every tag removed (stored and shown as plain text)."""
    return nh3.clean(text or "", tags=set()).strip()[:limit]


@transaction.atomic
def do_rate_service(item, *, score, comment, visitor_id, address, now=None):
    """Record a visitor's 1–5 rating; a bad one (≤2) opens a follow-up task for the unit.

    One rating per visitor, item and day (database constraint); a few per address and day.
    """
    now = now or timezone.now()
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise RatingRefused("评分应为 1 至 5 分。")
    if not item.live:
        raise RatingRefused("该事项未发布，不能评价。")
    day = timezone.localtime(now).date()
    visitor, addr = visitor_hash(visitor_id), address_hash(address)
    if ServiceRating.objects.filter(item=item, visitor_hash=visitor, day=day).exists():
        raise RatingRefused("您今天已评价过该事项，每天只能评价一次。")
    if ServiceRating.objects.filter(item=item, address_hash=addr, day=day).count() \
            >= RATINGS_PER_ADDRESS_PER_ITEM_PER_DAY:
        raise RatingRefused("来自同一网络的评价过多，请明天再试。")
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(
                item=item, department_id=item.department_id, score=score,
                comment=plain_text(comment), visitor_hash=visitor, address_hash=addr,
                day=day, created_at=now,
            )
    except IntegrityError:  # a double submit racing the check above
        raise RatingRefused("您今天已评价过该事项，每天只能评价一次。") from None
    if rating.is_bad:
        RatingFollowUp.objects.create(
            rating=rating, department_id=item.department_id,
            due_date=add_working_days(now, follow_up_working_days()), created_at=now,
        )
    return rating


@transaction.atomic
def do_close_follow_up(follow_up, *, user, response, now=None):
    """A unit reports what it did about a bad rating; the task is closed and logged."""
    response = plain_text(response, limit=2000)
    if not response:
        raise ValueError("办结前请填写整改情况。")
    follow_up.response = response
    follow_up.status = FollowUpStatus.DONE
    follow_up.handled_by = user
    follow_up.handled_at = now or timezone.now()
    follow_up.save()
    log(follow_up, "services.follow_up.close", user=user)
    return follow_up


def do_record_view(item):
    """Count one view of a guide (for "most viewed" and the statistics)."""
    ServiceItem.objects.filter(pk=item.pk).update(view_count=F("view_count") + 1)


def do_import_catalogue(records, *, source="", channel="cli", check_only=False, now=None,
                        progress=None):
    """Import exchange records (see `exchange`), keeping the run and its diff report."""
    now = now or timezone.now()
    report = exchange.import_records(records, now=now, check_only=check_only, progress=progress)
    ImportRun.objects.create(
        started_at=now, finished_at=timezone.now(), source=source[:200], channel=channel,
        check_only=check_only, created=report.created, updated=report.updated,
        unchanged=report.unchanged, failed=report.failed,
        report=report.as_dict(limit=2000),
    )
    return report


def do_create_exchange_token(name, *, can_import=False):
    """A new API token for the hall; only its hash is kept, so the caller shows it once."""
    token = secrets.token_urlsafe(32)
    ExchangeToken.objects.create(name=name, token_hash=token_digest(token), can_import=can_import)
    return token


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()
