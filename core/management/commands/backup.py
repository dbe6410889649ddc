from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.log import Action, Outcome, record
from core import backup


class Command(BaseCommand):
    help = "备份数据库和上传文件：生成一个备份包（含清单、各部分SHA-256、各表记录数和审计链头）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=None, help="备份包存放目录（默认 BACKUP_DIR，即 VAR_DIR/backups）"
        )
        parser.add_argument("--keep", type=int, default=0, help="只保留最新的N个备份包（默认全部保留）")

    def handle(self, *args, output=None, keep=0, **options):
        output = output or Path(settings.BACKUP_DIR)
        try:
            path, manifest = backup.backup(output)
        except backup.BackupError as exc:
            record(
                Action.SECURITY,
                username="system",
                outcome=Outcome.FAILURE,
                detail={"operation": "backup", "error": str(exc)[:200]},
            )
            raise CommandError(str(exc)) from exc
        record(Action.SECURITY, username="system", object_type="backup", object_repr=path.name,
               detail={"operation": "backup", "sha256": backup.sha256(path), "rows": sum(manifest["counts"].values())})  # fmt: skip
        removed = backup.prune(output, keep) if keep else []
        self.stdout.write(f"已备份：{path}")
        self.stdout.write(f"  {backup.describe(manifest)}")
        if removed:
            self.stdout.write(f"  已删除较早的备份包{len(removed)}个（保留最新{keep}个）")
