"""Thresholds of the supervision rules (监测指标阈值), defaults from NATIONAL.md.

Every rule reads its thresholds here. Override any of them with the Django setting
`GOVWEB_SUPERVISION = {"home_update": {"warn_days": 9}}` or, in a deployment, with the
environment variable `GOVWEB_SUPERVISION` holding the same structure as JSON. A threshold is
*reached* when the measured value is at or above it (age ≥ days, count ≥ count, share ≥ share).
"""

import copy
import json
import os

from django.conf import settings

DEFAULTS = {
    # 首页可访问: share of samples not loaded within 15 s over 7 days (veto ≥ 5%, vendor warns > 3%).
    "home_reachability": {"window_days": 7, "timeout_seconds": 15.0, "min_samples": 20,
                          "warn_share": 0.03, "veto_share": 0.05},
    # 首页不更新: vendor warns after 10 days, the inspection vetoes after 2 weeks.
    "home_update": {"warn_days": 10, "veto_days": 14},
    # 栏目不更新: a column is stale once its window (ColumnPage.expected_update_days) has passed;
    # editors are warned `lead_days` before. ≥ 5 stale columns, or ≥ 10 columns not updated
    # for a year, veto the site.
    "column_update": {"lead_days": {"news": 3, "default": 14}, "warn_count": 3, "veto_count": 5,
                      "long_days": 365, "long_veto_count": 10},
    # 空白栏目: each empty column is a problem; > 2 warns, ≥ 5 vetoes.
    "empty_columns": {"warn_count": 3, "veto_count": 5},
    # 无发布时间: items with no publication time, or one later than now (a faked date).
    "publication_time": {"future_tolerance_minutes": 60},
    # 链接可用性: the crawler's limits.
    "broken_links": {"max_workers": 4, "per_host": 1, "delay_seconds": 0.2,
                     "connect_timeout": 5.0, "read_timeout": 10.0, "link_deadline_seconds": 15.0,
                     "max_bytes": 5 * 1024 * 1024, "max_redirects": 5,
                     "sample_items_per_column": 1, "max_external_links": 2000,
                     "run_deadline_seconds": 600.0, "user_agent": "govweb-jianguan/1.0",
                     "only_hosts": []},  # non-empty: check external links to these hosts only
    # 互动回应差: a valid message unanswered for 3 months vetoes; warn from 2 months.
    "interaction_replies": {"warn_days": 60, "veto_days": 90},
    # 网民纠错: answered within 2 working days (the deadline the interaction app sets).
    "error_reports": {"grace_days": 0},
    # 办事指南要素: ≥ 5 items each missing ≥ 4 of the 8 key elements veto; one such item warns.
    "service_guides": {"missing_elements": 4, "warn_items": 1, "veto_items": 5},
    # 错敏词: see the ForbiddenExpression snippets.
    "forbidden_expressions": {"max_findings_per_site": 200},
    # 转载: tasks due within `warn_hours` warn; late or missing ones within the lookback are problems.
    "reprint": {"warn_hours": 2, "lookback_days": 30},
    # 季度抽查 and scoring.
    "spot_check": {"min_ratio": 0.30, "pass_mark": 60},
    # 读网 time of day (local hour) for the daily run and the alert e-mails.
    "daily": {"hour": 6, "probe_every_seconds": 7200},
}


def _overrides():
    data = getattr(settings, "GOVWEB_SUPERVISION", None)
    if data is None:
        raw = os.environ.get("GOVWEB_SUPERVISION")
        data = json.loads(raw) if raw else {}
    return data or {}


def rule_conf(name):
    """The thresholds of one rule: defaults updated with the overrides (one level deep)."""
    conf = copy.deepcopy(DEFAULTS.get(name, {}))
    for key, value in (_overrides().get(name) or {}).items():
        if isinstance(value, dict) and isinstance(conf.get(key), dict):
            conf[key].update(value)
        else:
            conf[key] = value
    return conf
