from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码", max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}),
    )  # fmt: skip


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        # 等保2.0: a password change must change the password.
        if new and self.user.check_password(new):
            raise ValidationError("新密码不能与当前密码相同。", code="password_unchanged")
        return new
