from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Appraisal, Consultation, Honour, Justification, Leader, Nomination, PartyGroupDecision, UnitProcedure


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
    exclude = ["id_number"]
    inlines = [LeaderInline, AppraisalInline, HonourInline]


admin.site.register([Justification, UnitProcedure, Consultation, PartyGroupDecision], SimpleHistoryAdmin)
