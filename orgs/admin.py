from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, RoleAssignment, User
from .services import OrgError, account_recorded, check_account_change, grant_role, revoke_role


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "level", "kind", "parent", "is_deputy_bureau_or_above", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]
    # Nullable foreign keys are not followed by the admin's automatic select_related().
    list_select_related = ["parent"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "organisation", "is_active", "last_login"]
    search_fields = ["username", "full_name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("机构"), {"fields": ("full_name", "organisation", "phone")}),)
    actions = ["reset_totp"]

    @admin.action(description="重置所选用户的身份验证器（双因素认证，须重新绑定）")
    def reset_totp(self, request, queryset):
        from accounts.services import reset_totp

        for user in queryset:
            reset_totp(user, reason=f"由{request.user}在后台重置", actor=request.user, request=request)
        self.message_user(request, f"已重置 {queryset.count()} 个用户的身份验证器，其全部会话已结束。")

    # 三员分立 (orgs/duties.py): the system administrator manages accounts but hands out no power —
    # superuser, groups and model permissions stay read-only (roles are the security admin's); the
    # other administrators' accounts are the break-glass superuser's. Every change is audited.
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
        return fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is not None:
            try:
                check_account_change(actor=request.user, target=obj)
            except OrgError:
                return False
        return True

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is deleted: an account is disabled (is_active) instead

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            op = "create"
        elif "is_active" in form.changed_data:
            op = "enable" if obj.is_active else "disable"
        else:
            op = "change"
        account_recorded(user=obj, op=op, actor=request.user, request=request, fields=form.changed_data)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            account_recorded(user=self.get_object(request, id), op="reset_password", actor=request.user, request=request)
        return response


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "scope", "granted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "scope__name"]
    autocomplete_fields = ["user", "scope"]
    readonly_fields = ["granted_by", "granted_at", "revoked_at", "revoke_reason"]
    actions = ["revoke"]

    @admin.action(description="撤销所选授权")
    def revoke(self, request, queryset):
        for assignment in queryset.filter(revoked_at__isnull=True):
            revoke_role(assignment=assignment, reason=f"由{request.user}在后台撤销", actor=request.user, request=request)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # Through the service, so the guardian object permission is granted with it.
            saved = grant_role(user=obj.user, role=obj.role, scope=obj.scope, actor=request.user, request=request)
            obj.pk = saved.pk
