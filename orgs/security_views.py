"""安全管理员: grants and revokes roles within its scope, sets the security policy (三员分立)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import GrantForm, PolicyForm, RevokeForm
from .models import Organisation, Role, RoleAssignment, SecurityPolicy
from .policy import current_policy
from .services import OrgError, grant_role, revoke_role, security_admin_scope, set_policy

PAGE_ROWS = 200


def access_security(user) -> Organisation:
    """The security administrator's scope; 403 for anyone else (the middleware said so first)."""
    scope = security_admin_scope(user)
    if scope is None:
        raise PermissionDenied(_("只有安全管理员可以办理授权和安全策略。"))
    return scope


def _grants(scope: Organisation, query: str):
    rows = (
        RoleAssignment.objects.active()
        .filter(scope__path__startswith=scope.path)
        .select_related("user", "scope", "granted_by")
        .order_by("role", "scope__path", "user__username")
    )
    if query:
        rows = rows.filter(user__username__icontains=query) | rows.filter(user__full_name__icontains=query)
    return rows


@login_required
def index(request):
    scope = access_security(request.user)
    query = request.GET.get("q", "").strip()
    rows = list(_grants(scope, query)[: PAGE_ROWS + 1])
    return render(request, "security/index.html", {
        "scope": scope, "rows": rows[:PAGE_ROWS], "more": len(rows) > PAGE_ROWS, "query": query,
        "form": GrantForm(scope_root=scope), "policy": current_policy(request),
    })


@login_required
@require_POST
def grant(request):
    scope = access_security(request.user)
    form = GrantForm(request.POST, scope_root=scope)
    if form.is_valid():
        try:
            grant_role(
                user=form.cleaned_data["username"], role=form.cleaned_data["role"], scope=form.cleaned_data["scope"],
                actor=request.user, reason=form.cleaned_data["reason"], request=request,
            )
        except OrgError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已授予%(user)s“%(role)s”。") % {
                "user": form.cleaned_data["username"].display_name, "role": Role(form.cleaned_data["role"]).label})
            return redirect("security:index")
    rows = list(_grants(scope, "")[:PAGE_ROWS])
    return render(request, "security/index.html", {
        "scope": scope, "rows": rows, "more": False, "query": "", "form": form, "policy": current_policy(request),
    }, status=400)


@login_required
@require_POST
def revoke(request, pk):
    scope = access_security(request.user)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("user", "scope"), pk=pk, scope__path__startswith=scope.path
    )
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("撤销授权须填写原因。"))
        return redirect("security:index")
    try:
        revoke_role(assignment=assignment, reason=form.cleaned_data["reason"], actor=request.user, request=request)
    except OrgError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已撤销%(user)s的“%(role)s”。") % {
            "user": assignment.user.display_name, "role": assignment.get_role_display()})
    return redirect("security:index")


@login_required
def policy(request):
    access_security(request.user)
    row = SecurityPolicy.objects.filter(pk=1).first() or SecurityPolicy(pk=1)
    form = PolicyForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            set_policy(actor=request.user, request=request, **{k: form.cleaned_data[k] for k in form.Meta.fields})
        except OrgError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("安全策略已保存。"))
            return redirect("security:policy")
    return render(request, "security/policy.html", {"form": form, "policy": current_policy(request)},
                  status=400 if form.errors else 200)
