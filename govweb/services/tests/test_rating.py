"""好差评: one rating per visitor per item per day; bad ratings become follow-up tasks."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from conftest import host_of
from govweb.services import actions, queries
from govweb.services.models import RatingFollowUp, ServiceItem, ServiceRating

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 30 September 2025, the day before the National Day holiday (1–8 October).
BEFORE_HOLIDAY = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)


def rate(item, score, visitor="visitor-aaaaaaaaaaaaaaaaaaaa", address="10.0.0.1", now=BEFORE_HOLIDAY):
    return actions.do_rate_service(item, score=score, comment="", visitor_id=visitor, address=address,
                                   now=now)


def test_bad_rating_creates_follow_up_for_the_department_in_working_days():
    item = ServiceItem.objects.get(name="社会保障卡申领")
    rating = rate(item, 2)
    follow_up = RatingFollowUp.objects.get(rating=rating)
    assert follow_up.department == item.department
    # 5 working days after 30 Sep 2025: 9, 10, 11 (adjusted Saturday), 13, 14 October.
    assert follow_up.due_date == dt.date(2025, 10, 14)


def test_good_rating_creates_no_task():
    item = ServiceItem.objects.get(name="社会保障卡申领")
    rating = rate(item, 4)
    assert not RatingFollowUp.objects.filter(rating=rating).exists()


def test_one_rating_per_visitor_per_item_per_day():
    item = ServiceItem.objects.get(name="就业登记")
    rate(item, 5)
    with pytest.raises(actions.RatingRefused):
        rate(item, 1)
    rate(item, 4, now=BEFORE_HOLIDAY + dt.timedelta(days=1))
    assert ServiceRating.objects.filter(item=item, day__gte=BEFORE_HOLIDAY.date()).count() == 2


def test_a_flood_from_one_address_keeps_the_count_honest():
    item = ServiceItem.objects.get(name="失业登记")
    for n in range(6):
        try:
            rate(item, 1, visitor=f"fresh-cookie-{n:020d}")
        except actions.RatingRefused:
            pass
    assert ServiceRating.objects.filter(item=item, day=BEFORE_HOLIDAY.date()).count() == \
        actions.RATINGS_PER_ADDRESS_PER_ITEM_PER_DAY


def test_rating_statistics_per_item():
    item = ServiceItem.objects.get(name="失业保险金申领")
    before = queries.rating_summary(item)["n"]
    rate(item, 5, visitor="a" * 24)
    rate(item, 1, visitor="b" * 24)
    summary = queries.rating_summary(item)
    assert summary["n"] == before + 2 and summary["bad"] >= 1


def test_rating_through_the_public_form(client):
    cache.clear()
    item = ServiceItem.objects.get(name="社会保障卡申领")
    url = f"/banshi/shixiang/{item.code}/pingjia/"
    host = host_of("rsj")
    page = client.get(url, HTTP_HOST=host)
    assert page.status_code == 200 and "gw_visitor" in page.cookies
    response = client.post(url, {"score": "1", "comment": "<script>x</script>材料要求不清楚"},
                           HTTP_HOST=host, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 200 and "感谢您的评价" in response.content.decode()
    rating = ServiceRating.objects.filter(item=item).latest("created_at")
    assert rating.comment == "材料要求不清楚"
    assert RatingFollowUp.objects.filter(rating=rating).exists()
    again = client.post(url, {"score": "5"}, HTTP_HOST=host, REMOTE_ADDR="10.1.1.1")
    assert again.status_code == 409 and "每天只能评价一次" in again.content.decode()
    invalid = client.post(url, {"score": "9"}, HTTP_HOST=host, REMOTE_ADDR="10.1.1.2")
    assert invalid.status_code == 400 and "评分" in invalid.content.decode()


def test_rating_floods_are_rate_limited(client):
    cache.clear()
    item = ServiceItem.objects.get(name="就业登记")
    url = f"/banshi/shixiang/{item.code}/pingjia/"
    statuses = [client.post(url, {"score": "5"}, HTTP_HOST=host_of("portal"), REMOTE_ADDR="10.9.9.9").status_code
                for _ in range(22)]
    assert statuses[-1] == 429
    assert ServiceRating.objects.filter(item=item, address_hash=actions.address_hash("10.9.9.9")).count() <= 3
