"""Public and desk forms. Every error message is in Chinese and names its field."""

import copy
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govweb.cluster.models import SiteProfile

from . import guard
from .models import ErrorKind, MessageKind, QuestionKind, RejectReason
from .queries import online_units

PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def _errors(label, max_length=None, min_length=None):
    messages = {"required": _("请填写%(label)s。") % {"label": label},
                "invalid": _("%(label)s格式不正确。") % {"label": label}}
    if max_length:
        messages["max_length"] = _("%(label)s不能超过 %(n)s 个字（当前 %%(show_value)s 个）。") % {
            "label": label, "n": max_length}
    if min_length:
        messages["min_length"] = _("%(label)s至少需要 %(n)s 个字。") % {
            "label": label, "n": min_length}
    return messages


def text_field(label, max_length, required=True, textarea=False, min_length=None, **kwargs):
    widget = forms.Textarea(attrs={"rows": 8}) if textarea else forms.TextInput()
    return forms.CharField(label=label, max_length=max_length, min_length=min_length,
                           required=required, widget=widget,
                           error_messages=_errors(label, max_length, min_length), **kwargs)


class PlainTextMixin:
    """Strip HTML from every text field after Django's own cleaning."""

    plain_fields = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.plain_fields:
            if isinstance(cleaned.get(name), str):
                cleaned[name] = guard.plain_text(cleaned[name])
                if self.fields[name].required and not cleaned[name]:
                    self.add_error(name, _("请填写%(label)s。") % {"label": self.fields[name].label})
        return cleaned


class CaptchaMixin(forms.Form):
    """An arithmetic question in words (screen-reader friendly, no image), plus the token
    that makes a retried submission idempotent."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)
    captcha_token = forms.CharField(widget=forms.HiddenInput, required=False)
    captcha_answer = forms.CharField(
        label=gettext_lazy("验证问题"), max_length=4, required=False,
        help_text=gettext_lazy("请填写阿拉伯数字，如 12"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "size": 4}))

    def __init__(self, *args, captcha=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.use_captcha = captcha and guard.conf.captcha_enabled()
        if not self.use_captcha:
            del self.fields["captcha_answer"]
            del self.fields["captcha_token"]
        elif not self.is_bound:
            question, signed = guard.new_captcha()
            self._ask(question)
            self.initial["captcha_token"] = signed
        if not self.is_bound:
            self.initial["token"] = guard.new_idempotency_token()

    def _ask(self, question):
        # This form's own copy of the field: the class's may be shared (shared_fields).
        self.fields["captcha_answer"] = copy.deepcopy(self.fields["captcha_answer"])
        self.fields["captcha_answer"].label = question
        self._bound_fields_cache.pop("captcha_answer", None)

    def refresh_captcha(self):
        """A new question after a failed attempt (each question is accepted once)."""
        if self.use_captcha:
            question, signed = guard.new_captcha()
            self._ask(question)
            data = self.data.copy()
            data["captcha_token"], data["captcha_answer"] = signed, ""
            self.data = data

    def clean_token(self):
        token = self.cleaned_data.get("token", "")
        if not guard.valid_token(token):
            raise ValidationError(_("表单已失效，请刷新页面后重新提交。"))
        return token

    def check_captcha(self):
        if not self.use_captcha:
            return True
        ok = guard.check_captcha(self.data.get("captcha_token"), self.data.get("captcha_answer"),
                                 bind=self.data.get("token", ""))
        if not ok:
            self.add_error("captcha_answer", _("验证问题回答不正确，请重新计算后填写。"))
        return ok


def unit_choices():
    return [("", _("不确定（由市政府办公厅分办）"))] + [
        (str(pk), unit.organisation) for pk, unit in online_units().items()]


class UnitChoiceField(forms.ChoiceField):
    """写给: one of the units online now (`unit_choices`)."""

    def valid_value(self, value):
        # The same test as matching the listed choices, without building and normalising
        # the whole list on every submission.
        text = str(value)
        return text.isdecimal() and str(int(text)) == text and int(text) in online_units()


class _SharedFields(dict):
    """A form class's fields, given to each form as they are instead of deep-copied: Django
    copies them so that a form may change its own, and these forms change only the captcha
    label, on a copy of that one field (`CaptchaMixin._ask`). Copying a dozen fields, their
    widgets and choice lists cost as much as validating the submission itself."""

    def __deepcopy__(self, memo):
        return dict(self)


def shared_fields(form_class):
    """Class decorator: the form's instances share its fields (see _SharedFields)."""
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


@shared_fields
class MessageForm(PlainTextMixin, CaptchaMixin):
    """写留言."""

    plain_fields = ("title", "content", "name")

    kind = forms.ChoiceField(label=gettext_lazy("留言类型"), choices=MessageKind.choices,
                             widget=forms.RadioSelect,
                             error_messages=_errors(gettext_lazy("留言类型")))
    unit = UnitChoiceField(
        label=gettext_lazy("写给"), required=False, choices=unit_choices,
        error_messages={"invalid_choice": gettext_lazy("请选择有效的办理单位。")})
    title = text_field(gettext_lazy("标题"), 100, min_length=4)
    content = text_field(gettext_lazy("内容"), 3000, textarea=True, min_length=10)
    attachments = MultipleFileField(
        label=gettext_lazy("附件"), required=False,
        help_text=gettext_lazy("可上传 JPG、PNG 图片或 PDF 文件，最多 3 个，每个不超过 5MB"))
    name = text_field(gettext_lazy("姓名"), 30)
    phone = text_field(gettext_lazy("手机号码"), 20,
                       help_text=gettext_lazy("仅用于联系您，不会公开"))
    email = forms.EmailField(label=gettext_lazy("电子邮箱"), required=False, max_length=254,
                             help_text=gettext_lazy("选填，用于接收答复通知，不会公开"),
                             error_messages=_errors(gettext_lazy("电子邮箱"), 254))
    may_publish = forms.BooleanField(label=gettext_lazy("同意公开留言及答复（个人信息将隐去）"),
                                     required=False, initial=True)

    field_order = ["kind", "unit", "title", "content", "attachments", "name", "phone", "email",
                   "may_publish", "captcha_answer"]

    def clean_unit(self):
        value = self.cleaned_data.get("unit")
        if not value:
            return None
        unit = online_units().get(int(value))  # a listed choice: digits
        if unit is None:
            raise ValidationError(_("请选择有效的办理单位。"))
        return unit

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").replace(" ", "")
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("手机号码格式不正确，请填写11位手机号或带区号的固定电话。"))
        return phone

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > guard.MAX_ATTACHMENTS:
            raise ValidationError(_("附件最多 %(n)s 个。") % {"n": guard.MAX_ATTACHMENTS})
        checked = []
        for uploaded in files:
            if uploaded.size > guard.MAX_ATTACHMENT_BYTES:
                raise ValidationError(_("附件“%(name)s”超过 5MB。") % {"name": uploaded.name})
            sniffed = guard.sniff_attachment(uploaded)
            if sniffed is None:
                raise ValidationError(_("附件“%(name)s”不是有效的 JPG、PNG 图片或 PDF 文件。") % {
                    "name": uploaded.name})
            checked.append((uploaded, *sniffed))
        return checked


class LookupForm(forms.Form):
    """留言查询: tracking number + check code."""

    tracking_number = forms.CharField(label=gettext_lazy("受理编号"), max_length=20,
                                      error_messages=_errors(gettext_lazy("受理编号"), 20))
    check_code = forms.CharField(label=gettext_lazy("查询码"), max_length=8,
                                 error_messages=_errors(gettext_lazy("查询码"), 8))


class RatingForm(LookupForm):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("满意度"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, gettext_lazy("非常满意")), (4, gettext_lazy("满意")),
                 (3, gettext_lazy("基本满意")), (2, gettext_lazy("不满意")),
                 (1, gettext_lazy("非常不满意"))],
        error_messages=_errors(gettext_lazy("满意度")))
    comment = text_field(gettext_lazy("评价意见"), 300, required=False, textarea=True)

    def clean_comment(self):
        return guard.plain_text(self.cleaned_data.get("comment", ""))


class ErrorReportForm(PlainTextMixin, CaptchaMixin):
    """我为政府网站找错."""

    plain_fields = ("description", "name", "contact")

    page_url = forms.URLField(label=gettext_lazy("问题页面地址"), max_length=500, required=False,
                              assume_scheme="https",
                              error_messages=_errors(gettext_lazy("问题页面地址"), 500))
    kind = forms.ChoiceField(label=gettext_lazy("问题类型"), choices=ErrorKind.choices,
                             widget=forms.RadioSelect,
                             error_messages=_errors(gettext_lazy("问题类型")))
    description = text_field(gettext_lazy("问题描述"), 1000, textarea=True, min_length=5)
    name = text_field(gettext_lazy("姓名"), 30, required=False)
    contact = text_field(gettext_lazy("联系方式"), 60, required=False,
                         help_text=gettext_lazy("选填，手机或邮箱，仅用于反馈处理结果"))

    field_order = ["page_url", "kind", "description", "name", "contact", "captcha_answer"]


class CommentForm(PlainTextMixin, CaptchaMixin):
    """征集意见."""

    plain_fields = ("name", "content")

    name = text_field(gettext_lazy("姓名"), 30)
    phone = text_field(gettext_lazy("手机号码"), 20, required=False,
                       help_text=gettext_lazy("选填，不会公开"))
    content = text_field(gettext_lazy("意见建议"), 2000, textarea=True, min_length=5)

    field_order = ["name", "phone", "content", "captcha_answer"]

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").replace(" ", "")
        if phone and not PHONE_RE.match(phone):
            raise ValidationError(_("手机号码格式不正确，请填写11位手机号或带区号的固定电话。"))
        return phone


class InterviewQuestionForm(PlainTextMixin, CaptchaMixin):
    """网友提问."""

    plain_fields = ("asker", "content")

    asker = text_field(gettext_lazy("昵称"), 30)
    content = text_field(gettext_lazy("您的问题"), 500, textarea=True, min_length=5)

    field_order = ["asker", "content", "captcha_answer"]


class SurveyForm(forms.Form):
    """A questionnaire's fields, built from its questions."""

    def __init__(self, survey, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.all())
        for index, question in enumerate(self.questions, 1):
            label = f"{index}. {question.text}"
            errors = {"required": _("请回答第 %(n)s 题“%(q)s”。") % {"n": index,
                                                                  "q": question.text}}
            name = f"q{question.pk}"
            if question.kind == QuestionKind.SINGLE:
                choices = [(o, o) for o in question.option_list()]
                field = forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect,
                                          required=question.required, error_messages=errors)
            elif question.kind == QuestionKind.MULTIPLE:
                choices = [(o, o) for o in question.option_list()]
                field = forms.MultipleChoiceField(label=label, choices=choices,
                                                  widget=forms.CheckboxSelectMultiple,
                                                  required=question.required,
                                                  error_messages=errors)
            elif question.kind == QuestionKind.RATING:
                choices = [(str(i), str(i)) for i in range(1, 6)]
                field = forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect,
                                          required=question.required, error_messages=errors,
                                          help_text=_("1 分最低，5 分最高"))
            else:
                errors["max_length"] = _("第 %(n)s 题不能超过 1000 个字。") % {"n": index}
                field = forms.CharField(label=label, max_length=1000, required=question.required,
                                        widget=forms.Textarea(attrs={"rows": 4}),
                                        error_messages=errors)
            self.fields[name] = field

    def answers(self):
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == QuestionKind.TEXT:
                result[question] = guard.plain_text(value or "")
            elif question.kind == QuestionKind.MULTIPLE:
                result[question] = list(value or [])
            else:
                result[question] = [value] if value else []
        return result


# ---------------------------------------------------------------------------------------------
# Handling desk (admin)


class DeskActionForm(forms.Form):
    action = forms.CharField()
    note = forms.CharField(required=False, max_length=5000)
    reason = forms.ChoiceField(required=False, choices=[("", "")] + list(RejectReason.choices))
    unit = forms.ModelChoiceField(queryset=SiteProfile.objects.all(), required=False)
    official = forms.IntegerField(required=False)
    text = forms.CharField(required=False, max_length=5000)
