from orgs.models import Role
from orgs.permissions import active_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = active_roles(user)
    held = {a.role for a in roles}
    return {
        "nav_roles": roles,
        "nav_role_names": sorted({a.get_role_display() for a in roles}),
        # Menu entries by task (UI.md): each shown to the roles that work there.
        "nav_nominate": bool(held & {Role.UNIT_STAFF, Role.SCREENER, Role.OFFICE}),
        "nav_review": bool(held & {Role.OFFICE, Role.GROUP_MEMBER, Role.SCREENER}),
        "nav_import": bool(held & {Role.UNIT_STAFF, Role.SCREENER, Role.OFFICE}),
        "nav_documents": bool(held & {Role.UNIT_STAFF, Role.SCREENER, Role.OFFICE}),
        # 三员分立 (orgs/duties.py): the system and security administrators see no business pages.
        "nav_business": not (held & {Role.ADMIN, Role.SECURITY_ADMIN}),
        "nav_security": Role.SECURITY_ADMIN in held,
        "nav_audit": Role.AUDITOR in held,
    }
