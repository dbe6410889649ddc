"""China's official working-day calendar, kept as data (DESIGN §5).

The State Council publishes each year's holiday arrangement in winter. A year is usable only once
its arrangement is on record (``HolidayArrangement``); its exceptions to the Monday–Friday week
are ``SpecialDay`` rows: statutory holidays off, make-up working days (调休上班) on.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HolidayArrangement(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据"), max_length=200, help_text=_("如：国务院办公厅关于2026年部分节假日安排的通知"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class SpecialDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("特殊日期")
        verbose_name_plural = _("特殊日期")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"
