"""Read-only in the admin: every change at the office goes through reviews.services (history kept)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CapDecision, FormalMaterial, Meeting, Review, Vote


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["nomination", "campaign", "category", "initial", "proposed", "re_review", "final"]
    list_filter = ["campaign", "category", "initial", "proposed", "final"]
    list_select_related = ["nomination", "campaign"]


admin.site.register([Vote, CapDecision, FormalMaterial, Meeting], ReadOnlyAdmin)
