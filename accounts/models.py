"""The second factor (等保2.0 身份鉴别: two factors for every staff login): one TOTP device per user.

A device is never deleted: a reset revokes it (time, by whom, why) and the user enrols a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedCharField


class TOTPDeviceQuerySet(models.QuerySet):
    def current(self) -> TOTPDeviceQuerySet:
        """Not revoked: the confirmed device, or the one being enrolled."""
        return self.filter(revoked_at__isnull=True)


class TOTPDevice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="totp_devices", verbose_name=_("用户")
    )
    # Base32, as authenticator apps take it (RFC 6238 with the RFC 4226 defaults: SHA-1, 6 digits, 30 s).
    # Encrypted at rest like ID numbers (core.crypto): a database dump must not hand out second factors.
    secret = EncryptedCharField(_("密钥"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)
    # The last time step whose code was accepted: a code is good once (RFC 6238 §5.2).
    last_used_step = models.BigIntegerField(default=0, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("重置时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("重置人"),
    )  # fmt: skip
    revoke_reason = models.CharField(_("重置原因"), max_length=200, blank=True)

    objects = TOTPDeviceQuerySet.as_manager()

    class Meta:
        verbose_name = _("身份验证器")
        verbose_name_plural = _("身份验证器")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True), name="totp_one_current_device")
        ]

    def __str__(self) -> str:
        state = "已重置" if self.revoked_at else ("已绑定" if self.confirmed_at else "待绑定")
        return f"{self.user} · {state}"


class LiveSession(models.Model):
    """A completed login (both factors) and its session key, for the limit on sessions per account.

    An index, not a record: rows are removed when their session ends (the audit trail keeps the
    logins and the sessions ended by the limit), so no session key outlives its session here.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户"))
    session_key = models.CharField(_("会话"), max_length=40, unique=True)
    started_at = models.DateTimeField(_("登录时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("在线会话")
        verbose_name_plural = _("在线会话")

    def __str__(self) -> str:
        return f"{self.user} · {self.started_at:%Y-%m-%d %H:%M}"
