from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import HolidayArrangement, SpecialDay


@admin.register(HolidayArrangement)
class HolidayArrangementAdmin(SimpleHistoryAdmin):
    list_display = ["year", "source", "recorded_at"]


@admin.register(SpecialDay)
class SpecialDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind", "name"]
    date_hierarchy = "date"
