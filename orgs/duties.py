"""三员分立: what the system, security and audit administrators may do, in one place.

GB/T 22239-2019 (等保2.0) 第三级 8.1.4.2 身份鉴别/访问控制 and 8.1.5 安全管理中心: the system
administrator (accounts, configuration, backup), the security administrator (grants roles, sets the
security policy) and the auditor (reads and exports the audit trail) are three accounts; none of them
holds another's role or any business role, and none of them does business work.

The database refuses an account holding two of them, or one of them and a business role
(orgs.RoleAssignment constraint + trigger, migration orgs 0002). ``grant_role`` refuses first with
a clear message. The middleware below refuses each administrator the areas that are not its own;
the business predicates (nominations/reviews/publicity permissions) name business roles only, so
an administrator never passes them; ``check_business_actor`` guards the business services.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ADMIN_ROLES, Role, User

# The staff areas where business work is done (and business data is read).
BUSINESS_PREFIXES = ("/campaigns/", "/nominations/", "/reviews/", "/publicity/", "/documents/", "/orgs/")
SECURITY_PREFIX = "/security/"
AUDIT_PREFIX = "/audit/"
ADMIN_SITE_PREFIX = "/admin/"

# The auditor changes nothing: every state-changing request is refused but these (its own login,
# logout, password and second factor, and the audit trail's export forms).
AUDITOR_WRITABLE_PREFIXES = ("/login/", "/logout/", "/password/", "/account/", "/accounts/", "/2fa/", "/otp/", AUDIT_PREFIX)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Which model permissions the system administrator holds in /admin/ (app label → model names; a
# None means every model of the app). Accounts, the organisation tree, campaign configuration, the
# working calendar and the task/worker records; never nominations, reviews, publicity, documents,
# role grants, the audit trail or the security policy.
SYSTEM_ADMIN_MODELS: dict[str, frozenset[str] | None] = {
    "orgs": frozenset({"user", "organisation"}),
    "awards": None,
    "workdays": None,
    "core": None,
}
SYSTEM_ADMIN_READ_ONLY: dict[str, frozenset[str]] = {
    # The grants are listed so the administrator can see who holds what; the security admin changes them.
    "orgs": frozenset({"roleassignment"}),
}

REFUSED = {
    Role.ADMIN: gettext_lazy("系统管理员负责账号、配置与备份，不办理评选业务，也不授予角色或查阅审计记录（三员分立）。"),
    Role.SECURITY_ADMIN: gettext_lazy("安全管理员负责授权与安全策略，不办理评选业务，也不管理账号或查阅审计记录（三员分立）。"),
    Role.AUDITOR: gettext_lazy("审计管理员只能查阅，不能修改任何数据（三员分立）。"),
}


def admin_role(user: User) -> str | None:
    """The administrator role the user holds (at most one: the database says so), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    from .permissions import active_roles

    return next((a.role for a in active_roles(user) if a.role in ADMIN_ROLES), None)


def is_administrator(user: User) -> bool:
    return admin_role(user) is not None


def check_business_actor(actor: User | None) -> None:
    """Business services call this: an administrator never does business work (403 in a view)."""
    role = admin_role(actor) if actor is not None else None
    if role is not None:
        raise PermissionDenied(REFUSED[role])


def conflicting_role(user: User, role: str) -> str | None:
    """The active role that the user may not hold together with ``role``, if any (三员分立)."""
    from .models import RoleAssignment

    held = set(RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True))
    if role in ADMIN_ROLES:
        clash = held  # one administrator grant per account, over one scope
    else:
        clash = held & ADMIN_ROLES
    return min(clash) if clash else None


def refusal_for_request(user: User, path: str, method: str) -> str | None:
    """Why this administrator may not make this request, or None. The one table of who goes where."""
    role = admin_role(user)
    if role is None:
        if path.startswith(SECURITY_PREFIX) and not user.is_superuser:
            return _("只有安全管理员可以办理授权和安全策略。")
        return None
    in_business = path.startswith(BUSINESS_PREFIXES)
    if role == Role.AUDITOR:
        if path.startswith((ADMIN_SITE_PREFIX, SECURITY_PREFIX)):
            return REFUSED[role]
        if method not in SAFE_METHODS and not path.startswith(AUDITOR_WRITABLE_PREFIXES):
            return REFUSED[role]
        return None
    if in_business or path.startswith(AUDIT_PREFIX):
        return REFUSED[role]
    if role == Role.ADMIN and path.startswith(SECURITY_PREFIX):
        return REFUSED[role]
    if role == Role.SECURITY_ADMIN and path.startswith(ADMIN_SITE_PREFIX):
        return REFUSED[role]
    return None


def system_admin_may(perm: str) -> bool | None:
    """For a model permission ``app.codename``: True granted, False refused, None not a model permission here."""
    app_label, _sep, codename = perm.partition(".")
    action, _sep, model = codename.partition("_")
    if action not in {"add", "change", "delete", "view"} or not model:
        return False
    if app_label in SYSTEM_ADMIN_MODELS:
        models = SYSTEM_ADMIN_MODELS[app_label]
        if models is None or model in models:
            # Nothing is deleted (states with a reason); the calendar's special days are data entry.
            return action != "delete" or app_label == "workdays"
    if action == "view" and model in SYSTEM_ADMIN_READ_ONLY.get(app_label, ()):
        return True
    return False


class DutiesBackend:
    """Model permissions of the three administrators (first in AUTHENTICATION_BACKENDS).

    The system administrator gets the /admin/ permissions of SYSTEM_ADMIN_MODELS and is refused every
    other one, whatever groups or user permissions someone gave the account; the security
    administrator and the auditor hold no model permission at all. Raising PermissionDenied stops
    Django from asking the next backend. An active superuser is not asked (break-glass account).
    """

    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        role = admin_role(user_obj)
        if role is None or obj is not None:
            return False  # object permissions (the tree scope) are guardian's
        if role == Role.ADMIN and system_admin_may(perm):
            return True
        raise PermissionDenied

    def has_module_perms(self, user_obj, app_label):
        role = admin_role(user_obj)
        if role is None:
            return False
        if role == Role.ADMIN and (app_label in SYSTEM_ADMIN_MODELS or app_label in SYSTEM_ADMIN_READ_ONLY):
            return True
        raise PermissionDenied

    def get_all_permissions(self, user_obj, obj=None):
        return set()


class SeparationOfDutiesMiddleware:
    """Refuses each administrator the areas that are not its own, with a 403 and a Chinese reason."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = refusal_for_request(user, request.path_info, request.method)
            if reason:
                raise PermissionDenied(reason)
        return self.get_response(request)


def admin_change_recorded(sender, instance, created, **kwargs):
    """Every change made in /admin/ (configuration: campaigns, calendar, the tree) is in the audit trail.

    Accounts are recorded by the UserAdmin with their own action (ACCOUNT); grants by grant_role.
    """
    if not created:
        return
    from audit.log import Action, record

    model = f"{instance.content_type.app_label}.{instance.content_type.model}" if instance.content_type_id else ""
    if model in {"orgs.user", "orgs.roleassignment"}:
        return
    op = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, str(instance.action_flag))
    record(
        Action.CONFIG, user=instance.user, object_type=model, object_id=instance.object_id or "",
        object_repr=instance.object_repr, detail={"op": op, "via": "admin", "change": instance.get_change_message()[:500]},
    )
