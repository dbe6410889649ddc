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
