"""Admin forms: where to push, whom a directive binds, where a reprint lands."""

from django import forms
from django.utils.translation import gettext_lazy as _

from govweb.cluster.models import SiteProfile, SiteStatus

from .models import DEFAULT_DEADLINE_HOURS, ReprintMode
from .queries import ITEM_COLUMN_KINDS, columns_of, default_reprint_column, push_target_columns


class PushForm(forms.Form):
    """推送到其他网站: the columns offered are exactly those the user may push into."""

    columns = forms.TypedMultipleChoiceField(
        label=_("目标栏目"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("目标栏目：请至少选择一个栏目。"),
                        "invalid_choice": _("目标栏目：所选栏目不可推送。")},
    )

    def __init__(self, *args, user, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = push_target_columns(user, page)
        self.column_by_pk = {c.pk: c for _site, columns in self.groups for c in columns}
        self.fields["columns"].choices = [
            (site.organisation, [(c.pk, c.title) for c in columns]) for site, columns in self.groups
        ]

    def selected_columns(self):
        return [self.column_by_pk[pk] for pk in self.cleaned_data["columns"]]


class DirectiveForm(forms.Form):
    """下发转载指令: which sites must reprint, and by when."""

    sites = forms.ModelMultipleChoiceField(
        label=_("须转载的网站"), queryset=SiteProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("须转载的网站：请至少选择一个网站。")},
    )
    deadline_hours = forms.IntegerField(
        label=_("转载时限（小时）"), min_value=1, max_value=72, initial=DEFAULT_DEADLINE_HOURS,
        error_messages={"required": _("转载时限：请填写小时数。"),
                        "min_value": _("转载时限：至少1小时。"),
                        "max_value": _("转载时限：最多72小时。"),
                        "invalid": _("转载时限：请填写整数。")},
    )
    note = forms.CharField(label=_("转载要求"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, source_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        sites = SiteProfile.objects.filter(status=SiteStatus.ONLINE)
        if source_site is not None:
            sites = sites.exclude(pk=source_site.pk)
        self.fields["sites"].queryset = sites
        if not self.is_bound:
            self.initial.setdefault("sites", list(sites))


class ReprintForm(forms.Form):
    """一键转载: the column is preselected, so one click is enough."""

    column = forms.TypedChoiceField(
        label=_("转载到栏目"), coerce=int,
        error_messages={"required": _("转载到栏目：请选择栏目。"),
                        "invalid_choice": _("转载到栏目：请选择本网站的信息栏目。")},
    )
    mode = forms.ChoiceField(
        label=_("转载方式"), choices=ReprintMode.choices, initial=ReprintMode.ALIAS,
        widget=forms.RadioSelect,
        error_messages={"required": _("转载方式：请选择。"),
                        "invalid_choice": _("转载方式：无效的选项。")},
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = {c.pk: c for c in columns_of(task.site, ITEM_COLUMN_KINDS)}
        self.fields["column"].choices = [(pk, c.title) for pk, c in self.columns.items()]
        default = default_reprint_column(task.site)
        if default is not None:
            self.fields["column"].initial = default.pk
        if task.directive.source_page_id is None:
            # An upstream portal's item is not in our tree: it can only be copied.
            self.fields["mode"].choices = [(ReprintMode.COPY, ReprintMode.COPY.label)]
            self.fields["mode"].initial = ReprintMode.COPY

    def selected_column(self):
        return self.columns[self.cleaned_data["column"]]
