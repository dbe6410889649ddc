"""``manage.py verify_audit``: walk the audit chain; exit 1 naming the first broken row."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify


class Command(BaseCommand):
    help = "核验审计日志哈希链：记录被修改、删除或插入时报错并指出该条记录。"

    def handle(self, *args, **options):
        verdict = verify()
        if not verdict.ok:
            raise CommandError(f"审计日志哈希链已断开：{verdict.message}（此前已核验{verdict.checked}条）", returncode=1)
        self.stdout.write(self.style.SUCCESS(verdict.message))
