"""Who may see and change which nomination (named predicates over orgs.permissions)."""

from __future__ import annotations

from django.http import Http404

from awards.models import Campaign, Quota
from orgs.models import Organisation, Role, User
from orgs.permissions import active_roles, can_act_for

from .models import Nomination


def _role_scopes(user: User, *roles: str) -> list[Organisation]:
    return [a.scope for a in active_roles(user) if a.role in roles]


def can_nominate_for(user: User, unit: Organisation) -> bool:
    """Unit staff act for their unit (and what is under it)."""
    return any(unit.path.startswith(s.path) for s in _role_scopes(user, Role.UNIT_STAFF))


def can_screen(user: User, quota: Quota) -> bool:
    """District/department reviewers act for the quota holder they were granted."""
    return any(quota.organisation.path.startswith(s.path) for s in _role_scopes(user, Role.SCREENER))


def can_view(user: User, nom: Nomination) -> bool:
    """Anyone whose part of the tree holds the nominating unit (the unit, its district, the office)."""
    return can_act_for(user, nom.unit)


def can_reveal_personal(user: User, nom: Nomination) -> bool:
    """Who may see the full ID number and phone (PIPL 第五十一条 最小必要; every view is audited):
    the nominating unit's staff, who entered them, and the office, which files the approval forms.
    Screeners, group members, consulted departments and auditors see them masked."""
    return can_nominate_for(user, nom.unit) or any(nom.unit.path.startswith(s.path) for s in _role_scopes(user, Role.OFFICE))


def nominating_units(user: User) -> list[Organisation]:
    return _role_scopes(user, Role.UNIT_STAFF)


def screening_quotas(user: User, campaign: Campaign) -> list[Quota]:
    scopes = _role_scopes(user, Role.SCREENER)
    quotas = Quota.objects.filter(campaign=campaign, parent__isnull=True).select_related("organisation")
    return [q for q in quotas if any(q.organisation.path.startswith(s.path) for s in scopes)]


def access_nomination(user: User, pk: int) -> Nomination:
    """The nomination if the user may see it; 404 otherwise (never a hint that it exists)."""
    nom = (
        Nomination.objects.select_related("campaign", "unit", "quota__organisation", "sub_quota__organisation", "organisation", "division")
        .filter(pk=pk)
        .first()
    )
    if nom is None or not can_view(user, nom):
        raise Http404("没有找到该推荐对象，或您无权查看。")
    return nom
