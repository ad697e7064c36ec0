"""Quarterly spot check: a reproducible ≥ 30% draw, scoring, sign-off, publication on the portal."""

import math
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from conftest import host_of
from govweb.cluster.models import SiteProfile
from govweb.supervision.actions import (
    do_draw_spot_check,
    do_publish_spot_check,
    do_score_site,
    do_sign_off_spot_check,
    draw_sample,
)
from govweb.supervision.models import Alert, SpotCheckIndicator
from govweb.supervision.queries import appraisal_table

from .conftest import T

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return get_user_model().objects.get(username="admin")


def test_draw_covers_30_percent_and_is_reproducible(admin):
    spot = do_draw_spot_check(year=2026, quarter=2, user=admin, now=T, crawl=False)
    online = list(SiteProfile.objects.online().values_list("pk", flat=True))
    assert sorted(spot.population) == sorted(online)
    assert len(spot.sample) == math.ceil(0.3 * len(online)) and len(spot.sample) / len(online) >= 0.3
    assert draw_sample(spot.population, spot.seed, spot.ratio, 2026, 2) == spot.sample
    assert spot.results.count() == len(spot.sample)
    assert spot.run.sites == spot.sample


@pytest.mark.parametrize("ratio, ok", [("0.29", False), ("0.30", True), ("0.31", True)])
def test_draw_ratio_threshold(admin, ratio, ok):
    if ok:
        assert do_draw_spot_check(year=2026, quarter=3, ratio=Decimal(ratio), user=admin, now=T, crawl=False)
    else:
        with pytest.raises(ValidationError, match="不得低于30%"):
            do_draw_spot_check(year=2026, quarter=3, ratio=Decimal(ratio), user=admin, now=T, crawl=False)


def test_same_seed_same_sample_other_seed_may_differ():
    population = list(range(1, 41))
    assert draw_sample(population, "42", 0.3, 2026, 1) == draw_sample(population, "42", 0.3, 2026, 1)
    assert len({tuple(draw_sample(population, str(s), 0.3, 2026, 1)) for s in range(10)}) > 1


def test_quarter_cannot_be_drawn_twice(admin):
    do_draw_spot_check(year=2026, quarter=1, user=admin, now=T, crawl=False)
    with pytest.raises(ValidationError, match="已经抽取过"):
        do_draw_spot_check(year=2026, quarter=1, user=admin, now=T, crawl=False)


def _full_marks(result, veto_code=None):
    scores = {}
    for indicator in SpotCheckIndicator.objects.all():
        scores[indicator.pk] = (indicator.points, indicator.code == veto_code, "")
    return scores


def test_scoring_veto_decides_alone_and_results_are_published_on_the_portal(client, admin, site_host):
    spot = do_draw_spot_check(year=2026, quarter=4, user=admin, now=T, crawl=False, seed="20260617")
    first, second, *rest = list(spot.results.select_related("site"))
    do_score_site(first, scores=_full_marks(first), user=admin)
    do_score_site(second, scores=_full_marks(second, veto_code="home_stale"), user=admin)
    first.refresh_from_db(), second.refresh_from_db()
    assert first.score == 100 and first.passed and not first.vetoed
    assert second.score == 100 and second.vetoed and not second.passed and second.veto_reasons == "首页不更新"

    with pytest.raises(ValidationError, match="得分应在0至10分之间"):
        home = SpotCheckIndicator.objects.get(code="home_availability")
        do_score_site(first, scores={home.pk: (11, False, "")}, user=admin)

    do_sign_off_spot_check(spot, user=admin, summary="总体情况良好。", now=T)
    second.refresh_from_db()
    assert second.notice_sent_at == T
    editors = second.site.editors_group.user_set.all()
    assert Alert.objects.filter(kind="notice", site=second.site, user__in=editors).exists()
    assert not Alert.objects.filter(kind="notice", site=first.site).exists()

    url = f"/jianguan/choujian/{spot.pk}/"
    assert client.get(url, HTTP_HOST=host_of("portal")).status_code == 404  # signed, not yet public
    do_publish_spot_check(spot, user=admin, now=T)
    page = client.get(url, HTTP_HOST=host_of("portal"))
    text = page.content.decode()
    assert page.status_code == 200 and first.site.organisation in text and "单项否决" in text and spot.seed in text
    assert client.get(url, HTTP_HOST=host_of("yunyan")).status_code == 404  # the portal publishes
    assert f"/jianguan/choujian/{spot.pk}/" in client.get("/jianguan/", HTTP_HOST=host_of("portal")).content.decode()

    rows = {row["site"].pk: row for row in appraisal_table(2026)}
    assert rows[first.site_id]["cells"][3].score == 100 and rows[first.site_id]["average"] == 100.0
    assert rows[second.site_id]["vetoes"] == 1 and rows[second.site_id]["average"] is None


def test_only_the_general_office_signs(admin):
    from django.core.exceptions import PermissionDenied

    spot = do_draw_spot_check(year=2025, quarter=4, user=admin, now=T, crawl=False)
    editor = get_user_model().objects.get(username="yunyan_editor")
    with pytest.raises(PermissionDenied):
        do_sign_off_spot_check(spot, user=editor)
