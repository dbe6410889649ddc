from django.contrib import admin

from .models import TaskFailure, TaskRun, WorkerHeartbeat


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    list_display = ["task", "failed_at", "resolved_at", "error"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["created_at", "source", "hostname", "pid", "broker"]


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Read-only: written by the workers (core.runs)."""

    list_display = ["task", "status", "started_at", "finished_at", "deliveries", "recoveries", "hostname", "pid"]
    list_filter = ["status", "task"]
    search_fields = ["task_id", "task"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
