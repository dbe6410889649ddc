"""The security administrator's forms: a grant, a revocation, the security policy."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Role, SecurityPolicy, User
from .policy import max_idle_minutes
from .services import POLICY_FIELDS


class GrantForm(forms.Form):
    username = forms.CharField(label=_("账号（用户名）"), max_length=150, widget=forms.TextInput(attrs={"class": "form-control"}))
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, widget=forms.Select(attrs={"class": "form-select"}))
    scope = forms.ModelChoiceField(
        label=_("管辖范围"), queryset=Organisation.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    reason = forms.CharField(
        label=_("授权依据"), max_length=200, help_text=_("如任职文件、工作安排，留存备查"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, scope_root: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = Organisation.objects.under(scope_root).filter(is_active=True).order_by("path")

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=name).first()
        if user is None:
            raise forms.ValidationError(_("没有该账号，请先由系统管理员创建。"))
        if not user.is_active:
            raise forms.ValidationError(_("该账号已停用。"))
        return user

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("请填写授权依据。"))
        return reason


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SecurityPolicy
        fields = list(POLICY_FIELDS)
        widgets = {name: forms.NumberInput(attrs={"class": "form-control", "min": 0}) for name in POLICY_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_idle_minutes()
        idle = self.fields["session_idle_minutes"]
        idle.widget.attrs.update(min=1, max=limit)
        idle.help_text = _("不超过 %(limit)s 分钟（系统配置的上限）") % {"limit": limit}
        self.fields["lockout_limit"].widget.attrs["min"] = 1
        self.fields["cooloff_minutes"].widget.attrs["min"] = 1
