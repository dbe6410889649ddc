from django.contrib import admin

from .models import TOTPDevice
from .services import reset_totp


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Read-only: devices come from enrolment; the only change is a reset (the action)."""

    list_display = ["user", "created_at", "confirmed_at", "last_used_at", "revoked_at", "revoked_by", "revoke_reason"]
    list_filter = ["revoked_at", "confirmed_at"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user", "revoked_by"]
    fields = ["user", "created_at", "confirmed_at", "last_used_at", "revoked_at", "revoked_by", "revoke_reason"]
    readonly_fields = fields
    actions = ["reset"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="重置所选用户的身份验证器（须重新绑定）")
    def reset(self, request, queryset):
        users = {device.user for device in queryset.filter(revoked_at__isnull=True).select_related("user")}
        for user in users:
            reset_totp(user, reason=f"由{request.user}在后台重置", actor=request.user, request=request)
        self.message_user(request, f"已重置 {len(users)} 个用户的身份验证器。")
