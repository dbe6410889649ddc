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
        # The header's unread count (publicity.context_processors) reads only the unread ones.
        indexes = [models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread")]

    def __str__(self) -> str:
        return self.text


class TaskRun(models.Model):
    """One task message as the workers saw it (core.runs): started, finished, or left behind by a
    worker that died. The recovery sends a run again when its process is gone; the message id is
    kept, so a run finished already is not done again when the broker also redelivers it."""

    class Status(models.TextChoices):
        STARTED = "started", _("执行中")
        RETRY = "retry", _("等待重试")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        LOST = "lost", _("已放弃")

    task_id = models.CharField(max_length=64, unique=True)
    task = models.CharField(_("任务"), max_length=120)
    kwargs = models.JSONField(_("参数"), default=dict)
    queue = models.CharField(_("队列"), max_length=120, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    hostname = models.CharField(_("主机"), max_length=200, blank=True)
    pid = models.PositiveIntegerField(_("执行进程号"), null=True)
    pid_started = models.CharField(max_length=40, blank=True)  # /proc start time: a reused pid is not alive
    worker_pid = models.PositiveIntegerField(_("工作进程号"), null=True)
    worker_started = models.CharField(max_length=40, blank=True)
    retries = models.PositiveIntegerField(_("重试序号"), default=0)  # of the message being run
    deliveries = models.PositiveIntegerField(_("执行次数"), default=0)
    recoveries = models.PositiveIntegerField(_("恢复次数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), null=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("最近恢复时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("后台任务执行记录")
        verbose_name_plural = _("后台任务执行记录")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.task} · {self.get_status_display()}"


class ReliabilityProbe(models.Model):
    """Marks of core.tasks.reliability_probe: a ``started`` row per delivery, one ``done`` row per key."""

    key = models.CharField(max_length=64)
    phase = models.CharField(max_length=10)
    pid = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("可靠性探针")
        verbose_name_plural = _("可靠性探针")
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=models.Q(phase="done"), name="probe_done_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.phase}"
