from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Notice, Objection


@admin.register(Notice)
class NoticeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "campaign", "scope", "opens_at", "closes_at", "status"]
    list_filter = ["scope", "status", "campaign"]

    def has_change_permission(self, request, obj=None):
        return False  # a notice is never edited after opening; a correction is a new notice


@admin.register(Objection)
class ObjectionAdmin(SimpleHistoryAdmin):
    list_display = ["receipt_code", "entry", "status", "created_at", "concluded_at"]
    list_filter = ["status"]
    exclude = ["objector_contact"]

    def has_change_permission(self, request, obj=None):
        return False
