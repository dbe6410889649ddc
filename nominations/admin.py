from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Appraisal,
    Consultation,
    Honour,
    ImportJob,
    Justification,
    Leader,
    Nomination,
    PartyGroupDecision,
    UnitProcedure,
)


class LeaderInline(admin.TabularInline):
    model = Leader
    extra = 0


class AppraisalInline(admin.TabularInline):
    model = Appraisal
    extra = 0


class HonourInline(admin.TabularInline):
    model = Honour
    extra = 0


@admin.register(Nomination)
class NominationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "campaign", "category", "unit", "status", "rank"]
    list_filter = ["campaign", "category", "status"]
    search_fields = ["name", "organisation__name", "unit__name"]
    # State changes go through nominations.services; the admin reads.
    readonly_fields = ["status", "rank", "unit_rank", "cancel_reason", "forfeits_slot"]
    exclude = ["id_number", "phone"]  # personal numbers: masked pages with the audited reveal, never the admin
    inlines = [LeaderInline, AppraisalInline, HonourInline]


admin.site.register([Justification, UnitProcedure, Consultation, PartyGroupDecision], SimpleHistoryAdmin)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "campaign", "unit", "category", "status", "created_at"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False  # imports are uploaded on the unit's page and run as a task
