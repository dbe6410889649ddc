from orgs.permissions import active_roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = active_roles(user)
    return {"nav_roles": roles, "nav_role_names": sorted({a.get_role_display() for a in roles})}
