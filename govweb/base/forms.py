"""Admin forms the platform adjusts for the national rules."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm


class AccessibleImageForm(BaseImageForm):
    """Image upload (图片上传): the text alternative is required (WCAG 1.1.1, GB/T 37668).

    Wagtail's own `description` field is the image's default alt text wherever it is shown,
    so requiring it at upload means no image reaches a public page without one.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("description")
        if field is not None:
            field.required = True
            field.label = _("替代文本（图片说明）")
            field.help_text = _("为视障用户朗读的图片内容说明，如“市长在现场调研”。必填。")
            field.error_messages["required"] = _("请填写替代文本：说明图片的内容。")

    def clean_description(self):
        description = (self.cleaned_data.get("description") or "").strip()
        if not description:
            raise forms.ValidationError(_("请填写替代文本：说明图片的内容。"), code="required")
        return description
