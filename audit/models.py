"""The audit trail (等保2.0 安全审计): one append-only row per security-relevant action.

Rows are chained: each carries the SHA-256 of its own fields and of the previous row, so editing or
removing any row breaks the chain (``audit.chain.verify``). The application never updates or deletes
a row; retention purges only rows older than the configured period.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("登录成功")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    STATE_CHANGE = "state_change", _("状态变更")
    RANKING = "ranking", _("排序变更")
    SCORE = "score", _("评分/投票")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    DOWNLOAD = "download", _("下载")
    VIEW_PERSONAL = "view_personal", _("查看个人信息明文")
    CONFIG = "config", _("配置变更")
    ACCOUNT = "account", _("账号管理")
    ROLE = "role", _("角色授权")
    SECURITY = "security", _("安全事件")
    AUDIT = "audit", _("审计操作")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    DENIED = "denied", _("拒绝")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改。")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除。")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), db_index=True)
    user_id_value = models.BigIntegerField(_("用户编号"), null=True, blank=True, db_index=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True)  # index: Meta
    role = models.CharField(_("角色"), max_length=60, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)  # index: Meta
    object_type = models.CharField(_("对象类型"), max_length=80, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    client_ip = models.CharField(_("客户端地址"), max_length=45, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # unique: Meta

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]
        default_permissions = ("view",)
        # Declared here rather than with unique=/db_index= on the fields: Django adds a second
        # (pattern-matching) index to those on PostgreSQL, which no query here uses (the username
        # filter is icontains) and every audited write pays for.
        constraints = [models.UniqueConstraint(fields=["hash"], name="audit_event_hash_unique")]
        indexes = [models.Index(fields=["username"], name="audit_event_username"),
                   models.Index(fields=["action"], name="audit_event_action")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除。")

    @property
    def role_display(self) -> str:
        from orgs.models import Role

        labels = dict(Role.choices)
        return "、".join(str(labels.get(code, code)) for code in self.role.split(",") if code)


class ChainHead(models.Model):
    """One row: the hash of the newest audit row. Locked while a row is appended, so the chain is linear."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    # The prev_hash the oldest remaining row must carry: the genesis, or after a retention purge the
    # hash of the last purged row. Removing old rows any other way breaks the chain at its start.
    anchor_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.count} · {self.last_hash[:12]}"
