"""Site evaluation: scores follow the data (fixed clock)."""

import datetime as dt

import pytest
from django.utils import timezone

from govweb.analytics import providers
from govweb.analytics.actions import do_compute_scores
from govweb.analytics.models import AnalyticsPolicy, SiteScore
from govweb.analytics.scoring import evaluate_site, working_days_between
from govweb.cluster.models import SiteProfile

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 6, 20, 10, 0, tzinfo=TZ)  # a Friday


def _at(day, hour=9):
    return dt.datetime(2025, 6, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def messages(db):
    """A controllable interaction provider for one site (registered last, so it wins)."""
    data = {}

    def provider(profile, start, end):
        return data.get(profile.pk)

    providers.register("interaction", provider)
    yield data
    providers.unregister("interaction", provider)


def test_interaction_score_drops_when_replies_become_late(messages):
    site = SiteProfile.objects.get(site__root_page__slug="yunyan")
    policy = AnalyticsPolicy.load()
    # Received Monday 2 June; 5 working days → due Monday 9 June (no holiday in between).
    messages[site.pk] = [
        {"received_at": _at(2), "replied_at": _at(4), "satisfied": True},
        {"received_at": _at(3), "replied_at": _at(5), "satisfied": True},
    ]
    on_time = evaluate_site(site, NOW, policy)
    assert on_time["breakdown"]["interaction"]["late"] == 0

    messages[site.pk] = [
        {"received_at": _at(2), "replied_at": _at(16), "satisfied": True},  # 10 working days
        {"received_at": _at(3), "replied_at": None, "satisfied": None},  # never answered
    ]
    late = evaluate_site(site, NOW, policy)
    assert late["breakdown"]["interaction"]["late"] == 2
    assert late["interaction"] < on_time["interaction"]
    assert late["total"] < on_time["total"]
    # Other dimensions are untouched by the replies.
    assert late["publication"] == on_time["publication"]


def test_an_unanswered_message_counts_late_only_after_its_deadline(messages):
    site = SiteProfile.objects.get(site__root_page__slug="yunyan")
    policy = AnalyticsPolicy.load()
    messages[site.pk] = [{"received_at": _at(19), "replied_at": None, "satisfied": None},
                         {"received_at": _at(2), "replied_at": _at(3), "satisfied": False}]
    result = evaluate_site(site, NOW, policy)
    assert result["breakdown"]["interaction"]["late"] == 0  # due next week
    assert result["breakdown"]["interaction"]["satisfied"] == 0


def test_working_days_skip_the_dragon_boat_holiday():
    # 2025-05-31 to 06-02 is the Dragon Boat Festival holiday.
    assert working_days_between(dt.date(2025, 5, 30), dt.date(2025, 6, 3)) == 1


def test_publication_score_falls_when_a_news_column_goes_stale(db):
    site = SiteProfile.objects.get(site__root_page__slug="yunyan")
    policy = AnalyticsPolicy.load()
    now = timezone.now()
    fresh = evaluate_site(site, now, policy)
    stale = evaluate_site(site, now + dt.timedelta(days=200), policy)
    assert stale["publication"] < fresh["publication"]
    assert any(not c["on_time"] for c in stale["breakdown"]["publication"]["columns"])


def test_scores_are_saved_daily_with_a_ranking(messages):
    scores = do_compute_scores(now=NOW)
    assert len(scores) == SiteProfile.objects.online().count()
    assert SiteScore.objects.filter(day=NOW.date()).count() == len(scores)
    again = do_compute_scores(now=NOW)  # recomputing the same day replaces, not duplicates
    assert SiteScore.objects.filter(day=NOW.date()).count() == len(again)


def test_weights_come_from_the_policy(messages):
    site = SiteProfile.objects.get(site__root_page__slug="yunyan")
    messages[site.pk] = [{"received_at": _at(2), "replied_at": None, "satisfied": None}]
    policy = AnalyticsPolicy.load()
    policy.weight_publication, policy.weight_interpretation = 0, 0
    policy.weight_services, policy.weight_interaction = 0, 1
    result = evaluate_site(site, NOW, policy)
    assert result["total"] == result["interaction"]
