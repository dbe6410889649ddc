from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """Written by the Celery worker: proves that tasks are flowing (system status page, tests)."""

    source = models.CharField(_("来源"), max_length=40)
    token = models.CharField(_("标记"), max_length=64, blank=True, db_index=True)
    hostname = models.CharField(_("主机"), max_length=200)
    pid = models.PositiveIntegerField(_("进程号"))
    broker = models.CharField(_("消息通道"), max_length=40)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("后台任务心跳")
        verbose_name_plural = _("后台任务心跳")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.hostname} · {self.created_at:%Y-%m-%d %H:%M:%S}"


class TaskFailure(models.Model):
    """A background task that failed past its retries: shown to staff instead of vanishing."""

    task = models.CharField(_("任务"), max_length=120)
    task_id = models.CharField(max_length=64, blank=True)
    arguments = models.JSONField(_("参数"), default=dict)
    error = models.TextField(_("错误"))
    failed_at = models.DateTimeField(_("失败时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("失败的后台任务")
        verbose_name_plural = _("失败的后台任务")
        ordering = ["-failed_at"]

    def __str__(self) -> str:
        return f"{self.task} · {self.failed_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app message to one user (reminders); ``key`` makes sending idempotent."""

    user = models.ForeignKey("orgs.User", on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=120)
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")]

    def __str__(self) -> str:
        return self.text
