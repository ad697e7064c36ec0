"""The dashboards' period and site picker (时间段选择)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 400
PRESETS = [(7, _("近7天")), (30, _("近30天")), (90, _("近90天")), (180, _("近180天")),
           (365, _("近一年"))]


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": _("开始日期格式应为YYYY-MM-DD。")})
    end = forms.DateField(label=_("结束日期"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": _("结束日期格式应为YYYY-MM-DD。")})
    site = forms.TypedChoiceField(label=_("网站"), required=False, coerce=int, empty_value=None,
                                  error_messages={"invalid_choice": _("网站：无权查看所选网站。")})

    def __init__(self, data=None, sites=(), allow_all=True, today=None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        choices = [("", _("全部网站"))] if allow_all else []
        self.fields["site"].choices = choices + [(str(p.site_id), p.organisation) for p in sites]

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or end - dt.timedelta(days=29)
        if start > end:
            self.add_error("start", _("开始日期不能晚于结束日期。"))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", _("时间段不能超过%(n)s天。") % {"n": MAX_DAYS})
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self):
        """(start, end); the last 30 days when the form is invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.today - dt.timedelta(days=29), self.today
