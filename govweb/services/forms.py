"""Forms: the public rating form and the admin form of a guide (units limited to the user's)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from govweb.cluster.models import SiteProfile

from .models import missing_key_elements
from .permissions import unit_ids_for

SCORE_CHOICES = [
    ("5", _("5分 非常满意")), ("4", _("4分 满意")), ("3", _("3分 基本满意")),
    ("2", _("2分 不满意")), ("1", _("1分 非常不满意")),
]


class RatingForm(forms.Form):
    """好差评: a score and an optional comment."""

    score = forms.TypedChoiceField(
        label=_("评分"), choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("请选择评分（1至5分）。"),
                        "invalid_choice": _("评分应为1至5分。")},
    )
    comment = forms.CharField(
        label=_("评价内容（选填）"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("评价内容不能超过500字（现有 %(show_value)d 字）。")},
    )


class ServiceItemForm(WagtailAdminModelForm):
    """The guide editor: a unit's staff can only file guides under their own unit."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        field = self.fields.get("department")
        if field is not None and for_user is not None:
            units = unit_ids_for(for_user)
            if units is not None:
                field.queryset = SiteProfile.objects.filter(pk__in=units)
                if len(units) == 1 and not self.instance.pk:
                    field.initial = next(iter(units))

    def missing_elements(self):
        """Key elements missing from what was submitted (children counted from the formsets)."""

        def rows(name):
            formset = self.formsets.get(name)
            if formset is None:
                return 0
            return sum(1 for form in formset.forms
                       if form.cleaned_data and not form.cleaned_data.get("DELETE"))

        return missing_key_elements(self.cleaned_data, rows("materials"), rows("steps"))
