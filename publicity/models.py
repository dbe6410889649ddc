"""Publicity notices (公示), their windows and the objections (异议) filed against them.

A notice is fixed when it opens: its list is a snapshot of what may be shown in public (name,
organisation, unit and post, brief deeds — never ID numbers, phones, birth dates, political
status or appraisals), and its window is N working days on the official calendar. A correction
is a new notice that names the one it replaces.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from awards.models import Campaign
from core.crypto import EncryptedCharField
from nominations.models import Nomination
from orgs.models import Organisation


class Scope(models.TextChoices):
    # 重庆 四(一) / 全国 五(一): 在本单位公示5个工作日.
    UNIT = "unit", _("单位公示")
    # 重庆 四(三): 各区县和市级部门在本区县、本部门公示; 全国 五(二): 省级范围公示.
    DISTRICT = "district", _("区县/部门（省级）公示")
    # 重庆 四(四): 全市范围公示; 全国 五(三): 全国范围公示.
    FINAL = "final", _("拟表彰对象公示")


class NoticeQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(status=Notice.Status.SCHEDULED)


class Notice(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("待发布")
        OPEN = "open", _("公示中")
        CLOSED = "closed", _("公示结束")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="notices")
    scope = models.CharField(_("公示范围"), max_length=10, choices=Scope.choices)
    issuer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="notices", verbose_name=_("发布单位"))
    title = models.CharField(_("标题"), max_length=200)
    intro = models.TextField(_("正文"))
    how_to_object = models.TextField(_("异议受理方式"))
    contact = models.CharField(_("联系方式"), max_length=300)
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))
    opens_at = models.DateTimeField(_("公示开始"), db_index=True)
    closes_at = models.DateTimeField(_("公示截止"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by", verbose_name=_("更正的公示")
    )
    correction_note = models.CharField(_("更正说明"), max_length=300, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("实际关闭时间"), null=True, blank=True)
    outcome = models.JSONField(_("公示结果"), default=dict, blank=True)

    history = HistoricalRecords()
    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def is_open_at(self, when=None) -> bool:
        when = when or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= when < self.closes_at

    @property
    def last_day(self):
        """The last working day of the window (the window closes at the end of it)."""
        return timezone.localtime(self.closes_at - timezone.timedelta(seconds=1)).date()


class NoticeEntryQuerySet(models.QuerySet):
    def with_objection_counts(self) -> NoticeEntryQuerySet:
        """Each entry with its notice and the number of its objections by outcome, counted by the
        database: a list of nominees shows the counts, and an entry may draw thousands of objections
        (the morning a city-wide notice opens), each with an encrypted contact to decrypt if loaded."""
        from django.db.models import Count, Q

        return self.select_related("notice").annotate(
            objections_total=Count("objections"),
            objections_open=Count("objections", filter=Q(objections__status__in=("received", "investigating"))),
            objections_upheld=Count("objections", filter=Q(objections__status="upheld")),
            objections_not_upheld=Count("objections", filter=Q(objections__status="not_upheld")),
        )


class NoticeEntry(models.Model):
    """One nominee as shown on the notice: a snapshot, fixed when the notice opened."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="entries")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="notice_entries")
    position = models.PositiveSmallIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=12)
    name = models.CharField(_("名称/姓名"), max_length=120)
    unit_and_post = models.CharField(_("单位及职务"), max_length=200, blank=True)
    brief_deeds = models.TextField(_("简要事迹"))

    objects = NoticeEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示对象")
        verbose_name_plural = _("公示对象")
        ordering = ["notice", "position"]
        constraints = [models.UniqueConstraint(fields=["notice", "nomination"], name="notice_entry_unique")]

    def __str__(self) -> str:
        return self.name


def new_receipt_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Objection(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        INVESTIGATING = "investigating", _("核查中")
        UPHELD = "upheld", _("经核实，异议成立")
        NOT_UPHELD = "not_upheld", _("经核实，异议不成立")

    OPEN_STATUSES = (Status.RECEIVED, Status.INVESTIGATING)

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(NoticeEntry, on_delete=models.PROTECT, related_name="objections", verbose_name=_("异议对象"))
    receipt_code = models.CharField(_("回执码"), max_length=16, default=new_receipt_code)  # unique: Meta
    objector_name = models.CharField(_("异议人姓名"), max_length=40)
    objector_contact = EncryptedCharField(_("联系方式"), max_length=60)  # encrypted at rest (core.crypto)
    facts = models.TextField(_("异议事实"))
    attachment = models.FileField(_("附件"), upload_to="publicity/objections/", blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED)  # index: Meta
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("核查人")
    )
    investigation = models.TextField(_("核查情况"), blank=True)
    conclusion = models.TextField(_("处理意见"), blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    informed_at = models.DateTimeField(_("告知异议人时间"), null=True, blank=True)
    public_reply = models.TextField(_("答复异议人"), blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    # When the responsible staff were told (publicity.tasks.tell_staff_of_objections): objections are told
    # in batches, not one task each, so the public form stays light under a surge.
    staff_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The history is read per objection (by its id) and by date; the other indexes a historical table
    # would copy cost every filing and serve no query (issue 8: the public form under a surge).
    history = HistoricalRecords(
        excluded_fields=["objector_contact", "staff_notified_at"],
        no_db_index=["receipt_code", "status", "notice", "entry", "assigned_to", "concluded_by"],
    )

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["created_at"]
        # Declared here rather than with unique=/db_index= on the fields: Django adds a second
        # (pattern-matching) index to those on PostgreSQL, which no query here uses and every filing writes.
        constraints = [models.UniqueConstraint(fields=["receipt_code"], name="objection_receipt_code_unique")]
        indexes = [
            models.Index(fields=["status"], name="objection_status"),
            models.Index(fields=["created_at"], condition=models.Q(staff_notified_at__isnull=True), name="objection_untold"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_code}（{self.entry.name}）"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
