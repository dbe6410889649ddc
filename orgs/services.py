"""Writes to the tree and to role grants. Each change is kept by simple-history."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from audit.log import Action, record

from .duties import admin_role, conflicting_role
from .models import ADMIN_ROLES, Organisation, Role, RoleAssignment, SecurityPolicy, User
from .permissions import ACT_PERM
from .policy import forget_policy

# The system and security administrators do no business work, so their grant carries no scope over
# the tree's business data (the guardian permission); the auditor reads, so its grant does.
NO_TREE_ACCESS = frozenset({Role.ADMIN, Role.SECURITY_ADMIN})


class OrgError(Exception):
    """A refused change to the tree or to a role grant; the message is for the user."""


def security_admin_scope(actor: User) -> Organisation | None:
    """The part of the tree a security administrator grants roles in (None: not a security administrator)."""
    return next(
        (a.scope for a in RoleAssignment.objects.active().filter(user=actor, role=Role.SECURITY_ADMIN).select_related("scope")),
        None,
    )


def _check_grantor(actor: User | None, user: User, scope: Organisation) -> None:
    """三员分立: only the security administrator grants and revokes, inside its scope, never for itself.

    ``actor=None`` is the system itself (demo data, migrations); an active superuser is the
    break-glass account made with createsuperuser.
    """
    if actor is None or actor.is_superuser:
        return
    own = security_admin_scope(actor)
    if own is None:
        raise OrgError(_("只有安全管理员可以授予或撤销角色（三员分立）。"))
    if actor.pk == user.pk:
        raise OrgError(_("不能为本人授予或撤销角色。"))
    if not scope.is_under(own):
        raise OrgError(_("%(scope)s不在您的授权范围（%(own)s）内。") % {"scope": scope.name, "own": own.name})


def grant_role(
    *, user: User, role: str, scope: Organisation, actor: User | None = None, reason: str = "", request=None
) -> RoleAssignment:
    if role not in Role.values:
        raise OrgError(_("未知的角色：%(role)s") % {"role": role})
    _check_grantor(actor, user, scope)
    with transaction.atomic():
        existing = RoleAssignment.objects.active().filter(user=user, role=role, scope=scope).first()
        if existing:
            return existing
        clash = conflicting_role(user, role)
        if clash == role:
            raise OrgError(
                _("%(user)s已担任“%(role)s”：管理员角色每个账号只有一项授权，改变范围须先撤销原授权。")
                % {"user": user.display_name, "role": Role(role).label}
            )
        if clash is not None:
            # The database refuses the same (constraint + trigger, migration orgs 0002); say why first.
            raise OrgError(
                _("%(user)s已担任“%(held)s”，不能再授予“%(role)s”：系统管理员、安全管理员、审计管理员三者互斥，"
                  "且不得兼任业务角色（三员分立）。请先撤销原有授权。")
                % {"user": user.display_name, "held": Role(clash).label, "role": Role(role).label}
            )
        if user.is_superuser and role in ADMIN_ROLES:
            raise OrgError(_("超级管理员账号仅供应急使用，不能担任三员之一。"))
        assignment = RoleAssignment(user=user, role=role, scope=scope, granted_by=actor)
        assignment._change_reason = "grant_role"
        if actor is not None:
            assignment._history_user = actor  # outside a request the history middleware knows no user
        assignment.save()
        if role not in NO_TREE_ACCESS:
            assign_perm(ACT_PERM, user, scope)
        record(
            Action.ROLE, request=request, user=actor, obj=assignment,
            detail={"op": "grant", "user": user.username, "role": role, "scope": scope.name, "reason": reason.strip()},
        )
    _forget_caches(user)
    return assignment


def revoke_role(*, assignment: RoleAssignment, reason: str, actor: User | None = None, request=None) -> RoleAssignment:
    if not reason.strip():
        raise OrgError(_("撤销授权须填写原因。"))
    if assignment.revoked_at is not None:
        # Revoking again would overwrite when and why it was revoked.
        when = timezone.localtime(assignment.revoked_at).strftime("%Y-%m-%d %H:%M")
        raise OrgError(_("该授权已于 %(when)s 撤销。") % {"when": when})
    _check_grantor(actor, assignment.user, assignment.scope)
    with transaction.atomic():
        assignment.revoked_at = timezone.now()
        assignment.revoke_reason = reason.strip()
        assignment._change_reason = "revoke_role"
        if actor is not None:
            assignment._history_user = actor
        assignment.save(update_fields=["revoked_at", "revoke_reason"])
        still_covered = (
            RoleAssignment.objects.active()
            .filter(user=assignment.user, scope=assignment.scope)
            .exclude(role__in=NO_TREE_ACCESS)
            .exists()
        )
        if not still_covered:
            remove_perm(ACT_PERM, assignment.user, assignment.scope)
        record(
            Action.ROLE, request=request, user=actor, obj=assignment,
            detail={"op": "revoke", "user": assignment.user.username, "role": assignment.role,
                    "scope": assignment.scope.name, "reason": assignment.revoke_reason},
        )
    _forget_caches(assignment.user)
    return assignment


# --- accounts (the system administrator) ---------------------------------------------------------


def _check_account_manager(actor: User | None, target: User | None) -> None:
    """三员分立: the system administrator manages accounts, but not the other two administrators'
    (it could otherwise reset the auditor's password and act as the auditor): those go to the
    break-glass superuser."""
    if actor is None or actor.is_superuser:
        return
    if admin_role(actor) != Role.ADMIN:
        raise OrgError(_("只有系统管理员可以管理账号（三员分立）。"))
    if target is not None and target.pk != actor.pk:
        held = admin_role(target)
        if held is not None or target.is_superuser:
            raise OrgError(
                _("%(user)s是管理员账号，须由应急超级管理员办理（三员分立）。") % {"user": target.display_name}
            )


def check_account_change(*, actor: User | None, target: User | None) -> None:
    """Raise OrgError when ``actor`` may not create (target None) or change the account ``target``."""
    _check_account_manager(actor, target)


def create_account(
    *, username: str, full_name: str = "", organisation: Organisation | None = None, password: str | None = None,
    actor: User | None, request=None,
) -> User:
    _check_account_manager(actor, None)
    with transaction.atomic():
        user = User(username=username, full_name=full_name, organisation=organisation)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        account_recorded(user=user, op="create", actor=actor, request=request)
    return user


def set_account_active(*, user: User, active: bool, reason: str, actor: User | None, request=None) -> User:
    if not reason.strip():
        raise OrgError(_("停用或启用账号须填写原因。"))
    _check_account_manager(actor, user)
    if actor is not None and actor.pk == user.pk and not active:
        raise OrgError(_("不能停用本人的账号。"))
    with transaction.atomic():
        user.is_active = active
        user._change_reason = reason.strip()[:100]
        user.save(update_fields=["is_active"])
        account_recorded(user=user, op="enable" if active else "disable", actor=actor, request=request, reason=reason)
    return user


def reset_password(*, user: User, password: str, actor: User | None, request=None) -> User:
    _check_account_manager(actor, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        account_recorded(user=user, op="reset_password", actor=actor, request=request)
    return user


def account_recorded(*, user: User, op: str, actor: User | None, request=None, fields=(), reason: str = "") -> None:
    """The audit row of an account change (field names only: never a phone number or an ID)."""
    detail = {"op": op, "user": user.username}
    if fields:
        detail["fields"] = sorted(fields)
    if reason:
        detail["reason"] = reason.strip()
    record(Action.ACCOUNT, request=request, user=actor, obj=user, detail=detail)


# --- the security policy (the security administrator) -------------------------------------------


POLICY_FIELDS = ("lockout_limit", "cooloff_minutes", "password_max_age_days", "session_idle_minutes", "max_sessions_per_user")


def set_policy(*, actor: User | None, request=None, **values) -> SecurityPolicy:
    if actor is not None and not actor.is_superuser and admin_role(actor) != Role.SECURITY_ADMIN:
        raise OrgError(_("只有安全管理员可以设置安全策略（三员分立）。"))
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise OrgError(_("未知的策略项：%(names)s") % {"names": "、".join(sorted(unknown))})
    with transaction.atomic():
        policy, _created = SecurityPolicy.objects.select_for_update().get_or_create(pk=1)
        changed = {}
        for name, value in values.items():
            old = getattr(policy, name)
            if old != value:
                changed[name] = [old, value]
                setattr(policy, name, value)
        if not changed:
            return policy
        policy.updated_by = actor
        if actor is not None:
            policy._history_user = actor
        policy.full_clean()
        policy.save()
        record(Action.CONFIG, request=request, user=actor, obj=policy, detail={"op": "security_policy", "changed": changed})
    forget_policy(request)  # the rest of this request reads the new policy
    return policy


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
