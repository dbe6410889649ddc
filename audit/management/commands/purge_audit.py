"""``manage.py purge_audit``: the retention purge the daily beat task runs, by hand."""

from django.core.management.base import BaseCommand

from audit.retention import purge, retention_days


class Command(BaseCommand):
    help = "清理超过保存期限（AUDIT_RETENTION_DAYS，至少180天）的审计日志。"

    def handle(self, *args, **options):
        removed = purge()
        self.stdout.write(f"已清理{removed}条早于{retention_days()}天的审计记录。")
