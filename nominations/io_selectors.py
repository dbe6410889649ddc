"""Reads for the import and export pages, each with its permission check (404, never a hint)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from awards.models import Campaign, Quota
from awards.selectors import campaigns_for, quota_holder_for, sees_whole_campaign
from orgs.models import Organisation, User

from .models import ImportJob
from .permissions import can_nominate_for, can_screen, nominating_units, screening_quotas


def access_import_unit(user: User, campaign: Campaign, unit_pk) -> Organisation:
    """A unit the user enters nominees for, inside the campaign's reporting tree."""
    unit = Organisation.objects.filter(pk=unit_pk).first() if str(unit_pk).isdigit() else None
    if unit is None or not can_nominate_for(user, unit) or quota_holder_for(campaign, unit) is None:
        raise Http404("没有找到该推荐单位，或您无权为其导入推荐对象。")
    return unit


def access_import_job(user: User, pk: int) -> ImportJob:
    job = ImportJob.objects.select_related("campaign", "unit", "created_by").filter(pk=pk).first()
    if job is None or not can_nominate_for(user, job.unit):
        raise Http404("没有找到该导入任务，或您无权查看。")
    return job


def recent_jobs(campaign: Campaign, unit: Organisation, *, limit: int = 10) -> list[ImportJob]:
    return list(ImportJob.objects.filter(campaign=campaign, unit=unit).select_related("created_by")[:limit])


def access_summary_quota(user: User, campaign: Campaign, org_pk: int) -> Quota:
    """The top-level quota of a district or department the user screens for."""
    quota = (
        Quota.objects.select_related("organisation")
        .filter(campaign=campaign, organisation_id=org_pk, parent__isnull=True)
        .first()
    )
    if quota is None or not can_screen(user, quota):
        raise Http404("没有找到该推荐名额，或您无权导出其汇总表。")
    return quota


def access_office_summary(user: User, campaign: Campaign) -> None:
    if not sees_whole_campaign(user, campaign):
        raise Http404("只有领导小组办公室可以导出全部推荐对象汇总表。")


@dataclass
class CampaignIO:
    campaign: Campaign
    units: list[Organisation] = field(default_factory=list)
    quotas: list[Quota] = field(default_factory=list)
    whole: bool = False


def io_overview(user: User) -> list[CampaignIO]:
    """Per campaign: the units the user imports for, the quotas and the whole list it may export."""
    found = []
    units = nominating_units(user)
    for campaign in campaigns_for(user):
        entry = CampaignIO(campaign=campaign, whole=sees_whole_campaign(user, campaign))
        if campaign.status == Campaign.Status.OPEN:
            entry.units = [u for u in units if quota_holder_for(campaign, u) is not None]
        entry.quotas = screening_quotas(user, campaign)
        if entry.units or entry.quotas or entry.whole:
            found.append(entry)
    return found
