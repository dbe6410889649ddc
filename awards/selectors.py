"""Reads of campaign data, scoped to what the user may see (orgs.permissions decides)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from orgs.models import Organisation, User
from orgs.permissions import can_act_for, roots_overlapping, scope_roots

from .models import Campaign, Quota, Stage


def campaigns_for(user: User):
    """Campaigns whose reporting tree overlaps the user's part of the tree."""
    campaigns = Campaign.objects.select_related("root", "office").prefetch_related("categories", "stages")
    return [c for c in campaigns if roots_overlapping(user, c.root)]


def sees_whole_campaign(user: User, campaign: Campaign) -> bool:
    """Office staff, leading-group members and auditors hold the campaign's root (or above)."""
    return can_act_for(user, campaign.root)


def access_campaign(user: User, slug: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("root", "office", "host_unit")
        .prefetch_related(
            "categories", "caps", "forms", Prefetch("stages", queryset=Stage.objects.order_by("order"))
        )
        .filter(slug=slug)
        .first()
    )
    if campaign is None or not roots_overlapping(user, campaign.root):
        raise Http404(_("没有找到该评选表彰活动，或您无权查看。"))
    return campaign


def quotas_visible(user: User, campaign: Campaign) -> list[Quota]:
    """The whole table for those who hold the campaign; otherwise only the user's own line(s).

    A district sees its own quota and its sub-quotas; a unit sees the quota it reports under.
    No count of anyone else's quota is shown.
    """
    quotas = (
        Quota.objects.filter(campaign=campaign)
        .select_related("organisation", "parent__organisation")
        .order_by("organisation__path")
    )
    if sees_whole_campaign(user, campaign):
        return list(quotas)
    roots = scope_roots(user)
    return [
        q
        for q in quotas
        if any(q.organisation.path.startswith(r.path) or r.path.startswith(q.organisation.path) for r in roots)
    ]


def access_quota(user: User, campaign: Campaign, org_pk: int) -> Quota:
    for quota in quotas_visible(user, campaign):
        if quota.organisation_id == org_pk:
            return quota
    raise Http404(_("没有找到该推荐名额，或您无权查看。"))


def quota_holder_for(campaign: Campaign, org: Organisation) -> Quota | None:
    """The top-level quota an organisation reports under (its district or department)."""
    return quota_holders_for([campaign], org).get(campaign.pk)


def quota_holders_for(campaigns, org: Organisation) -> dict[int, Quota]:
    """{campaign id: the top-level quota ``org`` reports under}, in one query for all campaigns."""
    ancestor_ids = [int(x) for x in org.path.strip("/").split("/") if x]
    quotas = (
        Quota.objects.filter(campaign__in=[c.pk for c in campaigns], parent__isnull=True, organisation__in=ancestor_ids)
        .select_related("organisation")
        .order_by("campaign", "organisation__path")
    )
    holders: dict[int, Quota] = {}
    for quota in quotas:
        # The highest holder above the organisation, as the chain runs upward through it.
        holders.setdefault(quota.campaign_id, quota)
    return holders
