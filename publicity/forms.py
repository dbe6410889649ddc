"""Forms read and check input; the rules themselves live in ``services`` (STYLE 2, 5)."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator

from awards.models import Category
from orgs.models import User

from .models import Notice, NoticeEntry

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
STARTED_SALT = "publicity.objection.started"
STARTED_MAX_AGE = 6 * 3600


def min_fill_seconds() -> int:
    return int(getattr(settings, "OBJECTION_MIN_FILL_SECONDS", 5))


def check_attachment(upload):
    """PDF, JPG or PNG up to 10 MB, recognised by content, not by name; images re-encoded without
    metadata (core.uploads.clean_document). Returns the file to store, under a random name."""
    from core.uploads import clean_document

    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError("附件不能超过10MB。", code="size")
    try:
        return clean_document(upload, max_bytes=MAX_ATTACHMENT_BYTES)
    except ValidationError as exc:
        if exc.code in ("bad_pdf", "encrypted_pdf"):
            raise  # a PDF, but damaged or locked: say so
        raise ValidationError("附件须为PDF、JPG或PNG格式的文件（按文件内容识别）。", code="type") from exc


class _EntriesWhenDrawn(ModelChoiceIterator):
    """The field's choices, reading its queryset when iterated rather than when made."""

    def __init__(self, field):
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset


class EntryChoiceField(forms.ModelChoiceField):
    """The entries of notice ``notice_id``, listed from a queryset built only when the list is drawn;
    a submitted choice is cleaned to the entry's id with no query and no queryset: the filing checks
    it against the notice (services.file_objection). The public form's hot path (issue 8)."""

    iterator = _EntriesWhenDrawn
    notice_id: int | None = None

    @property
    def queryset(self):
        if self._queryset is None and self.notice_id is not None:
            self._queryset = NoticeEntry.objects.filter(notice_id=self.notice_id).order_by("position")
        return self._queryset

    @queryset.setter
    def queryset(self, queryset):
        forms.ModelChoiceField.queryset.fset(self, queryset)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return int(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def label_from_instance(self, entry: NoticeEntry) -> str:
        where = f"（{entry.unit_and_post}）" if entry.unit_and_post else ""
        return f"{entry.position}. {entry.name}{where}"


class ObjectionForm(forms.Form):
    """Real-name objection (公示期间以真实姓名反映); spam is turned away by a honeypot and a fill time."""

    entry = EntryChoiceField(label="异议对象", queryset=None, empty_label="请选择公示对象")
    name = forms.CharField(label="真实姓名", max_length=40)
    contact = forms.CharField(label="联系方式", max_length=60, help_text="手机、电话或通讯地址，用于核查和告知处理结果，不会公开。")
    facts = forms.CharField(
        label="异议事实", min_length=10, max_length=5000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="请具体写明反映的问题、时间、地点及相关情况（至少10个字）。",
    )
    attachment = forms.FileField(label="证明材料（可选）", required=False, help_text="PDF、JPG或PNG格式，不超过10MB。")
    # Honeypot: hidden from people, filled in by robots.
    website = forms.CharField(label="网址（请勿填写）", required=False)
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, notice: Notice | int, **kwargs):
        """``notice``: the notice, or only its id (a filing checks the notice itself, under its lock)."""
        super().__init__(*args, **kwargs)
        self.notice_id = notice if isinstance(notice, int) else notice.pk
        entry = self.fields["entry"]
        entry.notice_id = self.notice_id
        entry.widget.choices = entry.choices  # the copied widget's choices still read the declared field
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-help"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        if not self.is_bound:
            self.initial["started"] = signing.dumps({"n": self.notice_id, "t": time.time()}, salt=STARTED_SALT)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        return check_attachment(upload)  # never the sender's file name

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise ValidationError("提交未通过校验，请刷新页面后重新填写。", code="spam")
        try:
            started = signing.loads(self.data.get("started", ""), salt=STARTED_SALT, max_age=STARTED_MAX_AGE)
        except signing.BadSignature:
            raise ValidationError("页面已过期，请刷新页面后重新填写。", code="expired") from None
        if started.get("n") != self.notice_id:
            raise ValidationError("页面已过期，请刷新页面后重新填写。", code="expired")
        if time.time() - float(started.get("t", 0)) < min_fill_seconds():
            raise ValidationError("提交过快，请核对填写的内容后再提交。", code="too_fast")
        return data


class ReceiptLookupForm(forms.Form):
    code = forms.CharField(label="回执码", max_length=16, min_length=6)

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper().replace(" ", "").replace("-", "")


# --- staff -----------------------------------------------------------------------------------


class StaffForm(forms.Form):
    """Bootstrap classes and described-by links on every control."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-help"


class AssignForm(StaffForm):
    to = forms.ModelChoiceField(label="核查人", queryset=User.objects.none(), empty_label="请选择核查人")

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = users


class InvestigationForm(StaffForm):
    text = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)


class ConclusionForm(StaffForm):
    upheld = forms.TypedChoiceField(
        label="核查结论", choices=(("1", "经核实，异议成立"), ("0", "经核实，异议不成立")),
        coerce=lambda v: v == "1", widget=forms.RadioSelect,
    )
    conclusion = forms.CharField(label="处理意见（内部）", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    public_reply = forms.CharField(
        label="答复异议人（公开于回执查询）", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text="回执查询页面向持回执码者显示此答复，请勿写入任何个人信息。",
    )


class NoticeForm(StaffForm):
    """Opening a district-scope or final-scope notice, or a correction of any notice."""

    title = forms.CharField(label="标题", max_length=200, required=False, help_text="留空则按规范自动生成。")
    intro = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="留空则按规范自动生成。")
    contact = forms.CharField(
        label="受理异议的联系方式", max_length=300,
        help_text="如：联系人及办公电话、通讯地址。将公开显示，请使用办公电话。",
    )
    how_to_object = forms.CharField(
        label="异议受理方式", widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="留空则按规范自动生成。"
    )
    opens_on = forms.DateField(
        label="公示开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="留空则立即发布；选择日期则于当日8:30发布。",
    )
    correction_note = forms.CharField(label="更正说明", max_length=300, required=False)

    def __init__(self, *args, nominations=None, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.correction = correction
        if nominations is not None:
            self.fields["nominations"] = forms.ModelMultipleChoiceField(
                label="公示对象", queryset=nominations, widget=forms.CheckboxSelectMultiple,
                error_messages={"required": "请至少选择一个公示对象。"},
            )
            self.fields["nominations"].label_from_instance = _nomination_label
        if correction:
            self.fields["correction_note"].required = True
            self.fields["correction_note"].help_text = "须说明更正的内容，公开显示在更正公示中。"
        else:
            del self.fields["correction_note"]
        self.style()


def _nomination_label(nom) -> str:
    kind = "集体" if nom.category == Category.COLLECTIVE else "个人"
    return f"[{kind}] {nom.display_name} · {nom.unit.name}"
