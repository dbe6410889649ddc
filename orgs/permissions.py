"""Who may see and act for which part of the organisation tree.

A role is held over a scope organisation; the grant is a django-guardian object permission
``orgs.act_for_organisation`` on that organisation, and it covers the whole subtree below it.
Everything that reads tree-scoped data asks here, so the rule lives in one place.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from .models import Organisation, Role, RoleAssignment, User

ACT_PERM = "orgs.act_for_organisation"
STAFF_ROLES = frozenset(
    {Role.UNIT_STAFF, Role.SCREENER, Role.OFFICE, Role.GROUP_MEMBER, Role.CONSULTED}
)


def scope_roots(user: User) -> list[Organisation]:
    """The organisations the user was granted, through guardian (cached per request object)."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_scope_roots_cache", None)
    if cached is None:
        _load_grants(user)
        cached = user._scope_roots_cache
    return cached


def active_roles(user: User) -> list[RoleAssignment]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_active_roles_cache", None)
    if cached is None:
        _load_grants(user)
        cached = user._active_roles_cache
    return cached


def _load_grants(user: User) -> None:
    """The user's active roles and scope roots, on the user object for the request and in the shared
    cache under the AUTHZ version (core.versions): every grant, revocation, guardian permission or
    organisation saved moves it on, so a revoked role is gone from the next request in every process."""
    from django.conf import settings

    from core import localcache
    from core.versions import AUTHZ, version

    key = f"{settings.APP_CACHE_PREFIX}grants:{version(AUTHZ)}:{user.pk}"
    grants = localcache.get_object(key)  # a copy in this process too: the key names the version
    if grants is None:
        roles = list(
            RoleAssignment.objects.active().filter(user=user).select_related("scope").order_by("role", "scope__path")
        )
        roots = list(
            get_objects_for_user(
                user, ACT_PERM, klass=Organisation, accept_global_perms=False, with_superuser=False
            ).order_by("path")
        )
        grants = (roles, roots)
        localcache.put_object(key, grants, 3600)
    user._active_roles_cache, user._scope_roots_cache = grants


def has_role(user: User, *roles: str) -> bool:
    return any(a.role in roles for a in active_roles(user))


def can_act_for(user: User, org: Organisation) -> bool:
    return any(org.path.startswith(root.path) for root in scope_roots(user))


def visible_organisations(user: User):
    """Every organisation in the user's part of the tree (none for a user with no scope)."""
    return Organisation.objects.under_any(scope_roots(user))


def access_organisation(user: User, pk: int) -> Organisation:
    """Fetch an organisation the user may see; 404, never an empty page, for anything else."""
    org = Organisation.objects.filter(pk=pk).select_related("parent").first()
    if org is None or not can_act_for(user, org):
        raise Http404(_("没有找到该机构，或您无权查看。"))
    return org


def roots_overlapping(user: User, org: Organisation) -> bool:
    """True when the user's scope lies inside ``org``'s subtree or contains it."""
    return any(root.path.startswith(org.path) or org.path.startswith(root.path) for root in scope_roots(user))
