"""Who may see and act on which notice and objection (named predicates over orgs.permissions).

Seeing follows the tree: whoever acts for the issuer's part of the tree sees its notices. Acting
(handling objections, opening notices) needs a working role there too — an auditor or a
leading-group member reads, never writes (separation of duties, DESIGN §1).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from awards.models import Campaign, Quota
from nominations.permissions import screening_quotas
from orgs.models import Organisation, Role, User
from orgs.permissions import active_roles, can_act_for, has_role, scope_roots

from .models import Notice, Objection

# Business roles only: the system administrator does no business work (三员分立, orgs/duties.py).
HANDLER_ROLES = frozenset({Role.UNIT_STAFF, Role.SCREENER, Role.OFFICE})


def _covers(user: User, org: Organisation, roles) -> bool:
    return any(a.role in roles and org.path.startswith(a.scope.path) for a in active_roles(user))


def can_view_notice(user: User, notice: Notice) -> bool:
    return can_act_for(user, notice.issuer)


def can_handle_objections(user: User, notice: Notice) -> bool:
    """Assign, investigate, conclude, inform: staff of the issuing level or above it."""
    return _covers(user, notice.issuer, HANDLER_ROLES)


def can_correct_notice(user: User, notice: Notice) -> bool:
    return _covers(user, notice.issuer, HANDLER_ROLES)


def district_quotas(user: User, campaign: Campaign) -> list[Quota]:
    """The quotas whose district- or department-scope notice the user may open (screeners)."""
    return screening_quotas(user, campaign)


def can_open_final(user: User, campaign: Campaign) -> bool:
    """The leading-group office publishes the list of proposed awardees (重庆 四(四), 全国 五(三))."""
    return _covers(user, campaign.office, {Role.OFFICE})


def can_see_failures(user: User) -> bool:
    return user.is_superuser or has_role(user, Role.OFFICE)


def visible_notices_q(user: User, prefix: str = "") -> Q:
    """Notices issued in the user's part of the tree."""
    q = Q(pk__in=[])
    for root in scope_roots(user):
        q |= Q(**{f"{prefix}issuer__path__startswith": root.path})
    return q


def access_notice(user: User, pk: int) -> Notice:
    notice = Notice.objects.select_related("campaign", "issuer", "opened_by", "replaces").filter(pk=pk).first()
    if notice is None or not can_view_notice(user, notice):
        raise Http404("没有找到该公示，或您无权查看。")
    return notice


def access_objection(user: User, pk: int) -> Objection:
    objection = (
        Objection.objects.select_related(
            "notice__campaign", "notice__issuer", "entry__nomination", "assigned_to", "concluded_by"
        )
        .filter(pk=pk)
        .first()
    )
    if objection is None or not can_view_notice(user, objection.notice):
        raise Http404("没有找到该异议，或您无权查看。")
    return objection
