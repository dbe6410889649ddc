"""Forms read and check input; the rules run in ``reviews.services`` (STYLE 2, 5).

Uploads are checked by what they contain, never by their name or the browser's content type.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from core.uploads import clean_document
from nominations.forms import DATE, StyledForm

from .models import FormalMaterial, Meeting, Vote

MB = 1024 * 1024
# 正式推荐材料: scanned approval forms (一式3份 / 一式5份) as PDF or JPG, at most 20 MB each.
MATERIAL_MAX_BYTES = 20 * MB
PASS_CHOICES = (("1", "通过"), ("0", "不通过"))


def clean_material_file(upload):
    """PDF or JPG by content (the first bytes / Pillow), at most 20 MB; renamed by its type."""
    if upload.size > MATERIAL_MAX_BYTES:
        raise ValidationError(
            f"文件为{upload.size / MB:.1f}MB，超过20MB的上限，请分开扫描或压缩后上传。", code="too_large"
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(b"%PDF-") and not head.startswith(b"\xff\xd8\xff"):
        raise ValidationError("正式推荐材料只能上传PDF或JPG格式的扫描件（按文件内容识别）。", code="bad_type")
    try:
        # The JPEG (or PDF) is then checked in full: a renamed file or a broken image is refused.
        return clean_document(upload, max_bytes=MATERIAL_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError("正式推荐材料只能上传PDF或JPG格式的扫描件（按文件内容识别）。", code="bad_type") from exc


class PoliceForm(StyledForm):
    """重庆 四(二): 统一征求市级公安部门意见 — the answer, its date and the scanned signed form."""

    answer = forms.ChoiceField(label="公安部门意见", choices=(("", "请选择"), ("no_objection", "无异议"), ("objection", "有异议")))
    answered_on = forms.DateField(label="意见日期", widget=DATE)
    form = forms.FileField(
        label="意见表扫描件（PDF、JPG或PNG，不超过10MB）", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean_form(self):
        upload = self.cleaned_data.get("form")
        return clean_document(upload) if upload else None


class OutcomeForm(StyledForm):
    """Pass or reject with a reason (initial review, re-review)."""

    passed = forms.TypedChoiceField(label="审核意见", choices=PASS_CHOICES, coerce=lambda v: v == "1", widget=forms.RadioSelect)
    reason = forms.CharField(label="理由（不通过时必填）", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passed"].widget.attrs["class"] = "form-check-input"


class VoteForm(StyledForm):
    choice = forms.ChoiceField(label="表决意见", choices=Vote.Choice.choices, widget=forms.RadioSelect, required=False)
    score = forms.DecimalField(label="评分（0—100）", max_digits=5, decimal_places=2, required=False)

    def __init__(self, *args, scores: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].widget.attrs["class"] = "form-check-input"
        if scores:
            del self.fields["choice"]
        else:
            del self.fields["score"]


class CapDecisionForm(StyledForm):
    """A leading-group decision to go beyond an in-principle cap (DESIGN §4)."""

    cap = forms.ModelChoiceField(label="比例限制", queryset=None, empty_label="请选择")
    allowed_count = forms.IntegerField(label="同意的人数/个数", min_value=0, max_value=1000)
    meeting = forms.CharField(label="会议", max_length=120, help_text="如：领导小组2026年第1次会议。")
    held_on = forms.DateField(label="会议日期", widget=DATE)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), help_text="至少10个字，显示在名单和导出文件中。")

    def __init__(self, *args, caps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cap"].queryset = caps


class MeetingForm(StyledForm):
    title = forms.CharField(label="会议名称/文号", max_length=160)
    held_on = forms.DateField(label="日期", widget=DATE)
    summary = forms.CharField(label="研究情况", widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.FileField(
        label="纪要扫描件（PDF、JPG或PNG，可选）", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, kind: str = Meeting.Kind.COMPREHENSIVE, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_minutes(self):
        upload = self.cleaned_data.get("minutes")
        return clean_document(upload) if upload else None


class DecisionForm(StyledForm):
    title = forms.CharField(label="表彰决定文号", max_length=160, help_text="如：渝人社发〔2026〕1号。")
    held_on = forms.DateField(label="成文日期", widget=DATE)
    summary = forms.CharField(label="决定正文摘要", widget=forms.Textarea(attrs={"rows": 3}))


class RevokeForm(StyledForm):
    reason = forms.CharField(label="撤销原因", max_length=300)
    decision_title = forms.CharField(label="撤销决定（名称/文号）", max_length=160)
    held_on = forms.DateField(label="决定日期", widget=DATE)


class MaterialForm(StyledForm):
    kind = forms.ChoiceField(label="材料", choices=FormalMaterial.Kind.choices)
    file = forms.FileField(
        label="扫描件（PDF或JPG，不超过20MB）",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg"}),
    )
    copies = forms.IntegerField(label="纸质份数", min_value=1, max_value=20, initial=1, help_text="报送的纸质份数，如推荐审批表一式3份。")

    def clean_file(self):
        return clean_material_file(self.cleaned_data["file"])
