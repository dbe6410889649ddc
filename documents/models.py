"""Batches of documents: a district's or the office's whole package as one ZIP (DESIGN §6).

A batch is built once per content version: ``content_hash`` is computed from the records it
renders (their ``updated_at``, history ids, ranks and statuses, the campaign's forms). Asking
again while nothing changed returns the same batch; a changed record makes a new one. The file is
kept until someone downloads it (``downloaded_at``); only then may it be purged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from awards.models import Campaign, Quota


def batch_path(instance, filename: str) -> str:
    return f"documents/{instance.campaign_id}/batches/{filename}"


class DocumentBatch(models.Model):
    class Scope(models.TextChoices):
        QUOTA = "quota", _("区县/部门（省级评选机构）推荐材料")
        OFFICE = "office", _("领导小组办公室全部推荐材料")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    scope = models.CharField(_("范围"), max_length=8, choices=Scope.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="document_batches", verbose_name=_("评选表彰活动"))
    quota = models.ForeignKey(
        Quota, null=True, blank=True, on_delete=models.PROTECT, related_name="document_batches", verbose_name=_("报送单位名额"),
        help_text=_("领导小组办公室的全部材料为空"),
    )
    # "quota:<id>" or "office": one key for the unique constraint (a NULL quota never collides).
    scope_key = models.CharField(max_length=40, editable=False)
    content_hash = models.CharField(_("内容版本"), max_length=64)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    done = models.PositiveIntegerField(_("已生成文件数"), default=0)
    total = models.PositiveIntegerField(_("文件总数"), default=0)
    file = models.FileField(_("压缩包"), upload_to=batch_path, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("首次下载时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量文书")
        verbose_name_plural = _("批量文书")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "scope_key", "content_hash"], name="document_batch_unique_version"),
            models.CheckConstraint(
                condition=(models.Q(scope="quota", quota__isnull=False) | models.Q(scope="office", quota__isnull=True)),
                name="document_batch_scope_quota",
            ),
        ]

    def __str__(self) -> str:
        where = self.quota.organisation.name if self.quota_id else "领导小组办公室"
        return f"{self.campaign} · {where} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
