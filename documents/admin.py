from django.contrib import admin

from .models import DocumentBatch


@admin.register(DocumentBatch)
class DocumentBatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "campaign", "status", "created_at"]

    def has_add_permission(self, request):
        return False
