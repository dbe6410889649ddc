"""Who may download which document (named predicates over the other apps' permissions)."""

from __future__ import annotations

from awards.models import Campaign, Quota
from awards.selectors import sees_whole_campaign
from nominations.models import Nomination
from nominations.permissions import can_view, screening_quotas
from orgs.models import User
from publicity.models import Notice
from publicity.permissions import can_view_notice

from .models import DocumentBatch


def can_download_nomination(user: User, nom: Nomination) -> bool:
    """The forms of one nominee: whoever may see the nomination (its unit, the district, the office)."""
    return can_view(user, nom)


def can_download_office(user: User, campaign: Campaign) -> bool:
    """The office's package, summary and draft decision: those who hold the campaign's root."""
    return sees_whole_campaign(user, campaign)


def can_download_package(user: User, quota: Quota) -> bool:
    """A submitter's package: its screeners (区县/部门审核员), and those who hold the campaign."""
    if quota.parent_id is not None:
        return False
    if can_download_office(user, quota.campaign):
        return True
    return any(q.pk == quota.pk for q in screening_quotas(user, quota.campaign))


def can_download_notice(user: User, notice: Notice) -> bool:
    """A published notice is public; a scheduled one only for staff of the issuing part of the tree."""
    return notice.status != Notice.Status.SCHEDULED or can_view_notice(user, notice)


def can_download_batch(user: User, batch: DocumentBatch) -> bool:
    if batch.quota_id:
        return can_download_package(user, batch.quota)
    return can_download_office(user, batch.campaign)
