from django.contrib import admin

from .models import TaskFailure, WorkerHeartbeat


@admin.register(TaskFailure)
class TaskFailureAdmin(admin.ModelAdmin):
    list_display = ["task", "failed_at", "resolved_at", "error"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["created_at", "source", "hostname", "pid", "broker"]
