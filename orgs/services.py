"""Writes to the tree and to role grants. Each change is kept by simple-history."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .models import Organisation, Role, RoleAssignment, User
from .permissions import ACT_PERM


class OrgError(Exception):
    """A refused change to the tree or to a role grant; the message is for the user."""


def grant_role(*, user: User, role: str, scope: Organisation, actor: User | None = None) -> RoleAssignment:
    if role not in Role.values:
        raise OrgError(_("未知的角色：%(role)s") % {"role": role})
    with transaction.atomic():
        existing = RoleAssignment.objects.active().filter(user=user, role=role, scope=scope).first()
        if existing:
            return existing
        assignment = RoleAssignment(user=user, role=role, scope=scope, granted_by=actor)
        assignment._change_reason = "grant_role"
        if actor is not None:
            assignment._history_user = actor  # outside a request the history middleware knows no user
        assignment.save()
        assign_perm(ACT_PERM, user, scope)
    _forget_caches(user)
    return assignment


def revoke_role(*, assignment: RoleAssignment, reason: str, actor: User | None = None) -> RoleAssignment:
    if not reason.strip():
        raise OrgError(_("撤销授权须填写原因。"))
    if assignment.revoked_at is not None:
        # Revoking again would overwrite when and why it was revoked.
        when = timezone.localtime(assignment.revoked_at).strftime("%Y-%m-%d %H:%M")
        raise OrgError(_("该授权已于 %(when)s 撤销。") % {"when": when})
    with transaction.atomic():
        assignment.revoked_at = timezone.now()
        assignment.revoke_reason = reason.strip()
        assignment._change_reason = "revoke_role"
        if actor is not None:
            assignment._history_user = actor
        assignment.save(update_fields=["revoked_at", "revoke_reason"])
        still_covered = RoleAssignment.objects.active().filter(user=assignment.user, scope=assignment.scope).exists()
        if not still_covered:
            remove_perm(ACT_PERM, assignment.user, assignment.scope)
    _forget_caches(assignment.user)
    return assignment


def ensure_organisation(*, name: str, parent: Organisation | None, level: str, **fields) -> Organisation:
    """Create the organisation, or update the one with this name under this parent (idempotent)."""
    org, created = Organisation.objects.get_or_create(
        parent=parent, name=name, defaults={"level": level, **fields}
    )
    if not created:
        changed = False
        for key, value in {"level": level, **fields}.items():
            if getattr(org, key) != value:
                setattr(org, key, value)
                changed = True
        if changed:
            org.save()
    return org


def _forget_caches(user: User) -> None:
    for attr in ("_scope_roots_cache", "_active_roles_cache", "_perm_cache", "_user_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)
