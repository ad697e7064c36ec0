"""Forms: the public counterfeit-site report, the inspectors' scoring form, the annual report."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .annual import MANUAL_FIELDS, SIGN_FIELDS
from .models import CounterfeitStatus


class CounterfeitReportForm(forms.Form):
    """仿冒网站举报: what a citizen tells us about a fake government site."""

    url = forms.URLField(label=_("仿冒网站地址"), max_length=500, assume_scheme="https",
                         error_messages={"required": _("请填写仿冒网站地址。"),
                                         "invalid": _("仿冒网站地址格式不正确，请以 http:// 或 https:// 开头。")})
    description = forms.CharField(label=_("情况描述"), min_length=10, max_length=1000, widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("请说明仿冒的是哪个政府网站、如何发现的（10至1000字）。"),
                                  error_messages={"required": _("请填写情况描述。"),
                                                  "min_length": _("情况描述至少10个字。"),
                                                  "max_length": _("情况描述不超过1000字。")})
    reporter_name = forms.CharField(label=_("您的姓名"), max_length=30, required=False)
    reporter_contact = forms.CharField(label=_("联系方式"), max_length=60, required=False,
                                       help_text=_("选填，便于我们向您反馈处理结果。不会公开。"))
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationError(_("仿冒网站地址须以 http:// 或 https:// 开头。"))
        return url

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(_("提交未通过校验。"))
        return cleaned


class DrawForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=[(q, f"第{q}季度") for q in range(1, 5)])
    ratio = forms.DecimalField(label=_("抽查比例"), min_value=0.30, max_value=1, decimal_places=2, initial=0.30,
                               error_messages={"min_value": _("抽查比例不得低于30%。")})
    seed = forms.CharField(label=_("随机种子（留空自动生成）"), max_length=40, required=False)


class ScoreForm(forms.Form):
    """One field per indicator: points for scored ones, a checkbox for single-veto ones."""

    comment = forms.CharField(label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, result, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result
        self.rows = []
        for score in result.scores.select_related("indicator").order_by("-indicator__is_veto", "indicator__order"):
            ind = score.indicator
            if ind.is_veto:
                name = f"veto_{ind.pk}"
                self.fields[name] = forms.BooleanField(label=ind.name, required=False, initial=score.vetoed)
            else:
                name = f"points_{ind.pk}"
                self.fields[name] = forms.DecimalField(
                    label=f"{ind.name}（满分{ind.points}分）", min_value=0, max_value=ind.points, decimal_places=1,
                    initial=score.points,
                    error_messages={"max_value": f"“{ind.name}”得分不能超过{ind.points}分。",
                                    "min_value": f"“{ind.name}”得分不能为负数。",
                                    "required": f"请填写“{ind.name}”得分。"})
            note = f"note_{ind.pk}"
            self.fields[note] = forms.CharField(label=f"{ind.name}·说明", max_length=300, required=False,
                                                initial=score.note)
            self.rows.append((ind, self[name], self[note]))
        self.fields["comment"].initial = result.comment

    def scores(self):
        data = {}
        for ind, _f, _n in self.rows:
            if ind.is_veto:
                data[ind.pk] = (0, self.cleaned_data.get(f"veto_{ind.pk}"), self.cleaned_data.get(f"note_{ind.pk}"))
            else:
                data[ind.pk] = (self.cleaned_data[f"points_{ind.pk}"], False, self.cleaned_data.get(f"note_{ind.pk}"))
        return data


class AnnualReportForm(forms.Form):
    """The fields the platform cannot know, and the sign-off block."""

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label, kind in MANUAL_FIELDS:
            if kind == "bool":
                field = forms.BooleanField(label=label, required=False)
            elif kind == "int":
                field = forms.IntegerField(label=label, required=False, min_value=0,
                                           error_messages={"min_value": f"“{label}”不能为负数。",
                                                           "invalid": f"“{label}”应填写整数。"})
            else:
                field = forms.CharField(label=label, required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
            field.initial = report.manual.get(key)
            self.fields[key] = field
        for key, label in SIGN_FIELDS:
            self.fields[key] = forms.CharField(label=label, required=False, max_length=100, initial=report.manual.get(key))


class CounterfeitHandleForm(forms.Form):
    status = forms.ChoiceField(label=_("处置状态"), choices=CounterfeitStatus.choices)
    handling = forms.CharField(label=_("处置情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                               error_messages={"required": _("请填写处置情况。")})
