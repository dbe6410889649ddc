"""Who may use which office page (named predicates over orgs.permissions).

The office and the leading-group members hold their role over the campaign's root (or above it);
districts and municipal departments act for the quota they screen and see only that quota's
nominees. Anything else is a 404 — never a hint that the page exists.
"""

from __future__ import annotations

from django.http import Http404

from awards.models import Campaign, Quota
from nominations.permissions import screening_quotas
from orgs.models import Role, User
from orgs.permissions import active_roles

from . import selectors
from .models import Review


def _holds_root(user: User, campaign: Campaign, role: str) -> bool:
    return any(a.role == role and campaign.root.is_under(a.scope) for a in active_roles(user))


def is_office(user: User, campaign: Campaign) -> bool:
    """领导小组办公室: initial review, the proposed list, re-review, the decision, the dashboard."""
    return _holds_root(user, campaign, Role.OFFICE)


def is_member(user: User, campaign: Campaign) -> bool:
    """领导小组成员: votes or scores in the comprehensive review."""
    return _holds_root(user, campaign, Role.GROUP_MEMBER)


def district_quotas(user: User, campaign: Campaign) -> list[Quota]:
    """The quota holders a district or department screener acts for (their feedback only)."""
    return screening_quotas(user, campaign)


def _campaign(slug: str) -> Campaign:
    campaign = selectors.campaign(slug)
    if campaign is None:
        raise Http404("没有找到该评选表彰活动。")
    return campaign


def access_office(user: User, slug: str) -> Campaign:
    campaign = _campaign(slug)
    if not is_office(user, campaign):
        raise Http404("只有领导小组办公室可以办理评审。")
    return campaign


def access_member(user: User, slug: str) -> Campaign:
    campaign = _campaign(slug)
    if not is_member(user, campaign):
        raise Http404("只有领导小组成员可以参加综合评审。")
    return campaign


def access_district(user: User, slug: str) -> tuple[Campaign, list[Quota]]:
    campaign = _campaign(slug)
    quotas = district_quotas(user, campaign)
    if not quotas:
        raise Http404("您没有本活动的推荐名额。")
    return campaign, quotas


def access_own_review(quotas: list[Quota], campaign: Campaign, pk: int) -> Review:
    """A review of one of the user's own quota holders; 404 for another district's nominee."""
    review = selectors.review(campaign, pk)
    if review is None or review.quota_id not in {q.pk for q in quotas}:
        raise Http404("没有找到该推荐对象，或您无权查看。")
    return review
