from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "审计日志"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the check and the configuration hooks)
