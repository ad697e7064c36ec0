"""Figures for the annual report: items, fully online, views, ratings, applications."""

import datetime as dt

import pytest

from govweb.services import queries
from govweb.services.models import ApplicationCount, OnlineDepth, ServiceItem

pytestmark = pytest.mark.django_db


def test_statistics_per_unit_add_up():
    rows, totals = queries.service_statistics(2024)
    assert totals["items"] == ServiceItem.objects.count()
    assert totals["fully_online"] == ServiceItem.objects.filter(live=True, online_depth=OnlineDepth.FULL).count()
    rsj = next(row for row in rows if row["unit"].organisation == "贵阳市人力资源和社会保障局")
    assert rsj["items"] == ServiceItem.objects.filter(department=rsj["unit"]).count()


def test_applications_recorded_per_item_and_month_are_counted_in_their_year():
    item = ServiceItem.objects.get(name="教师资格认定")
    ApplicationCount.objects.create(item=item, month=dt.date(2019, 3, 1), total=40, natural_persons=40)
    ApplicationCount.objects.create(item=item, month=dt.date(2019, 4, 1), total=2, natural_persons=2)
    rows, totals = queries.service_statistics(2019)
    assert totals["applications"] == 42 and totals["applications_natural"] == 42
    by_unit = {row["unit"]: row["applications"] for row in rows}
    assert by_unit.pop(item.department) == 42 and set(by_unit.values()) == {0}
