"""Who reads the audit trail: holders of Role.AUDITOR, within their scope (DESIGN §1: the auditor
reads the trail and changes nothing — separation of duties).

Scope, kept simple: an auditor whose scope is the nation or a province (Chongqing's office is a
province-level bureau) sees every row, including rows with no user (scheduled tasks, the public,
failed logins under an unknown name). An auditor lower in the tree sees the rows of users whose
organisation lies in that auditor's subtree.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from orgs.models import Level, Organisation, Role, User
from orgs.permissions import active_roles

WHOLE_TRAIL_LEVELS = {Level.NATION, Level.PROVINCE}


def auditor_scopes(user: User) -> list[Organisation]:
    return [a.scope for a in active_roles(user) if a.role == Role.AUDITOR]


def can_audit(user: User) -> bool:
    return bool(user.is_authenticated and auditor_scopes(user))


def require_auditor(user: User) -> list[Organisation]:
    scopes = auditor_scopes(user) if user.is_authenticated else []
    if not scopes:
        raise PermissionDenied("只有审计管理员可以查看审计日志。")
    return scopes


def visible_q(scopes: list[Organisation]) -> Q:
    """The rows those scopes may read, as one condition (a subquery, so the page's query count stays flat)."""
    if any(s.level in WHOLE_TRAIL_LEVELS for s in scopes):
        return Q()
    orgs = Q()
    for s in scopes:
        orgs |= Q(organisation__path__startswith=s.path)
    return Q(user_id_value__in=User.objects.filter(orgs).values("pk"))
