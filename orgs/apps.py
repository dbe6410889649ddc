from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "机构与账号"

    def ready(self):
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from .duties import admin_change_recorded

        post_save.connect(admin_change_recorded, sender=LogEntry, dispatch_uid="orgs_admin_change_audit")
