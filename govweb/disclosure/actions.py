"""Writes of the disclosure app: issuing index numbers (索引号)."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import IndexNumberCounter, IssuedIndexNumber

INDEX_NUMBER_RE = re.compile(r"^[0-9A-Z]{9,18}/\d{4}-\d{5}$")
MAX_SEQ = 99999


def format_index_number(org_code, year, seq):
    """`<organisation code>/<yyyy>-<5-digit sequence>`, e.g. 11520100009444532X/2025-00017."""
    return f"{org_code}/{year:04d}-{seq:05d}"


@transaction.atomic
def do_issue_index_numbers(org_code, year, count=1, page_ids=None):
    """Hand out `count` consecutive index numbers for an organisation and year.

    The counter row is created if missing (ignoring a concurrent creator) and then locked with
    SELECT … FOR UPDATE, so two transactions can never read the same last sequence; on SQLite
    the IMMEDIATE transaction mode serialises writers. Every number is also registered in
    IssuedIndexNumber, whose unique constraints are the last line of defence.
    """
    if not org_code:
        raise ValidationError({"index_number": _("本网站未设置统一社会信用代码，无法生成索引号。")})
    IndexNumberCounter.objects.bulk_create(
        [IndexNumberCounter(org_code=org_code, year=year)], ignore_conflicts=True,
    )
    counter = IndexNumberCounter.objects.select_for_update().get(org_code=org_code, year=year)
    first = counter.last_seq + 1
    if counter.last_seq + count > MAX_SEQ:
        raise ValidationError({"index_number": _("%(org)s 在 %(year)d 年的索引号已用尽。")
                               % {"org": org_code, "year": year}})
    counter.last_seq += count
    counter.save(update_fields=["last_seq"])
    page_ids = list(page_ids or [None] * count)
    numbers = [format_index_number(org_code, year, seq) for seq in range(first, first + count)]
    IssuedIndexNumber.objects.bulk_create([
        IssuedIndexNumber(number=number, org_code=org_code, year=year, seq=first + n,
                          page_id=page_ids[n])
        for n, number in enumerate(numbers)
    ])
    return numbers


def do_issue_index_number(org_code, year, page_id=None):
    return do_issue_index_numbers(org_code, year, 1, [page_id])[0]
