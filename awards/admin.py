"""Administrators edit campaigns here; office staff read them in the app (/campaigns/)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AwardCategory, Campaign, CampaignForm, CapRule, Quota, Stage


class AwardCategoryInline(admin.TabularInline):
    model = AwardCategory
    extra = 0


class CapRuleInline(admin.TabularInline):
    model = CapRule
    extra = 0
    readonly_fields = ["computed_limit"]

    @admin.display(description="上限（向下取整）")
    def computed_limit(self, obj):
        return obj.limit() if obj.pk else "—"


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


class CampaignFormInline(admin.TabularInline):
    model = CampaignForm
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "status", "preset", "root"]
    list_filter = ["status", "year", "preset"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["root", "office", "host_unit"]
    inlines = [AwardCategoryInline, CapRuleInline, StageInline, CampaignFormInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "year", "status", "preset", "issuing_bodies", "document_number", "source"]}),
        ("推荐体系", {"fields": ["root", "office", "host_unit", "chain_levels"]}),
        ("评选条件", {"fields": [
            "min_years_in_field", "field_of_work", "exclude_deputy_bureau_and_above", "exclude_city_managed_cadres",
            "exclude_model_worker_treatment", "prior_commendation_since_year",
        ]}),
        ("材料与公示", {"fields": ["deeds_target_chars", "brief_deeds_max_chars", "formal_copies", "publicity_working_days"]}),
        ("综合评审", {"fields": ["review_mode", "vote_pass_percent"]}),
        ("联系方式", {"fields": ["contact"]}),
    ]


@admin.register(Quota)
class QuotaAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "campaign", "collective_max", "individual_max", "division_level_max", "parent"]
    list_filter = ["campaign"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation", "parent"]
    list_select_related = ["organisation", "campaign", "parent__organisation"]
