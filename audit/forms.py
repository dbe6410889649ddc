from __future__ import annotations

from django import forms

from .models import Action, Outcome


class AuditFilterForm(forms.Form):
    start = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    username = forms.CharField(label="用户名", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部")] + list(Action.choices))
    outcome = forms.ChoiceField(label="结果", required=False, choices=[("", "全部")] + list(Outcome.choices))
    object_type = forms.CharField(label="对象类型", required=False, max_length=80, help_text="如 nominations.nomination")
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)
    client_ip = forms.CharField(label="客户端地址", required=False, max_length=45)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data
