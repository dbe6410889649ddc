"""The restore drill: back up the test database and uploads, restore into a fresh empty database in
another process, and check the counts and the audit chain; a corrupted archive and a database that
is not empty are refused.

Runs on the configured engine: a second SQLite file, or a second PostgreSQL database created by
the test and dropped at its end.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from audit.chain import verify
from audit.log import Action, record
from audit.models import AuditEvent, ChainHead
from core import backup
from nominations.models import Nomination

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = Path(settings.BASE_DIR)


def _url(name: str) -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{name}"
    auth = db["USER"] or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def empty_database(tmp_path):
    """``make()`` → the name of a new empty database (dropped at the end on PostgreSQL)."""
    created = []

    def make() -> str:
        if connection.vendor == "sqlite":
            return str(tmp_path / f"drill-{uuid.uuid4().hex[:8]}.sqlite3")
        name = f"drill_{uuid.uuid4().hex[:10]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return name

    yield make
    for name in created:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore_in_new_process(
    archive: Path, database: str, media: Path, *extra: str
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", DATABASE_URL=_url(database), MEDIA_ROOT=str(media),
               VAR_DIR=str(settings.VAR_DIR), CELERY_FS_DIR=str(settings.CELERY_FS_DIR))  # fmt: skip
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), *extra],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@contextlib.contextmanager
def opened(database: str):
    """A connection alias to another database for the duration (the test case does not know it:
    ``connect()`` opens it directly instead of the test's guarded ``ensure_connection``)."""
    alias = f"drill-{uuid.uuid4().hex[:6]}"
    connections.settings[alias] = dict(connections.settings["default"], NAME=database)
    try:
        connections[alias].connect()
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def tables_in(database: str) -> int:
    with opened(database) as alias:
        return len(connections[alias].introspection.table_names())


def test_restore_drill_counts_and_audit_chain_match_the_backup(settings, tmp_path, empty_database):
    media = tmp_path / "media"
    (media / "minutes" / "2026").mkdir(parents=True)
    (media / "minutes" / "2026" / "会议纪要.pdf").write_bytes(b"%PDF-1.7 minutes " + os.urandom(2000))
    (media / "photos").mkdir()
    (media / "photos" / "p1.jpg").write_bytes(os.urandom(5000))
    settings.MEDIA_ROOT = str(media)
    for n in range(3):
        record(Action.EXPORT, username="office", object_repr=f"导出{n}", detail={"n": n})
    head = ChainHead.objects.get(pk=1)
    nominations = Nomination.objects.count()

    call_command("backup", "--output", str(tmp_path / "backups"), stdout=io.StringIO())
    archives = list((tmp_path / "backups").glob("awards-backup-*.tar"))
    assert len(archives) == 1
    archive = archives[0]
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == sorted(
            ["manifest.json", backup.DB_FILES[connection.vendor], "media.tar"]
        )
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["vendor"] == connection.vendor
    assert manifest["audit"] == {
        "head_hash": head.last_hash,
        "head_count": head.count,
        "last_hash": head.last_hash,
    }
    assert manifest["counts"]["audit.AuditEvent"] == head.count >= 3
    assert manifest["counts"]["nominations.Nomination"] == nominations
    assert manifest["media"]["files"] == 2
    # the backup itself is on the record, after the snapshot
    assert AuditEvent.objects.order_by("-id").first().detail["operation"] == "backup"

    target, restored_media = empty_database(), tmp_path / "restored-media"
    done = restore_in_new_process(archive, target, restored_media)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "与备份清单一致" in done.stdout and "哈希链完整" in done.stdout
    assert (restored_media / "minutes" / "2026" / "会议纪要.pdf").read_bytes() == (
        media / "minutes" / "2026" / "会议纪要.pdf").read_bytes()  # fmt: skip
    assert (restored_media / "photos" / "p1.jpg").read_bytes() == (media / "photos" / "p1.jpg").read_bytes()

    # Read the restored database back here, independently of the command's own checks.
    with opened(target) as alias, connections[alias].cursor() as cursor:
        for label, table in backup.model_tables().items():
            cursor.execute(f"SELECT COUNT(*) FROM {connections[alias].ops.quote_name(table)}")
            expected = manifest["counts"][label] + (
                1 if label == "audit.AuditEvent" else 0
            )  # + the restore's record
            assert cursor.fetchone()[0] == expected, label
        events = AuditEvent.objects.using(alias).all()
        verdict = verify(events)
        assert verdict.ok and verdict.checked == head.count + 1, verdict.message
        restored = list(events.order_by("id"))
        assert (
            restored[-2].hash == manifest["audit"]["head_hash"]
        )  # the chain ran up to the backup's head ...
        assert (
            restored[-1].prev_hash == manifest["audit"]["head_hash"]
            and restored[-1].detail["operation"] == "restore"
        )
        assert ChainHead.objects.using(alias).get(pk=1).last_hash == restored[-1].hash
        assert Nomination.objects.using(alias).count() == nominations

    # A second restore into the now filled database is refused, in Chinese, and changes nothing.
    again = restore_in_new_process(archive, target, tmp_path / "other-media")
    assert again.returncode != 0 and "目标数据库不是空库" in again.stderr
    assert not (tmp_path / "other-media").exists()


def _corrupt(archive: Path, out: Path, part: str) -> None:
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = bytearray(src.extractfile(member).read())
            if member.name == part:
                data[len(data) // 2] ^= 0xFF
            member.size = len(data)
            dst.addfile(member, io.BytesIO(bytes(data)))


def test_a_corrupted_archive_is_refused_and_nothing_is_written(settings, tmp_path, empty_database):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    out = io.StringIO()
    for _ in range(3):  # and only the newest two are kept
        call_command("backup", "--output", str(tmp_path / "backups"), "--keep", "2", stdout=out)
    archives = list((tmp_path / "backups").glob("awards-backup-*.tar"))
    assert len(archives) == 2 and "已删除较早的备份包1个" in out.getvalue()
    archive = archives[0]
    assert backup.check(archive)["vendor"] == connection.vendor

    for part, label in ((backup.DB_FILES[connection.vendor], "数据库"), ("media.tar", "上传文件")):
        bad = tmp_path / f"bad-{label}.tar"
        _corrupt(archive, bad, part)
        with pytest.raises(backup.BackupError, match=f"备份文件已损坏：{label}部分的SHA-256与清单不符"):
            backup.check(bad)
        if label == "数据库":  # the command, in its own process, into an empty database
            target = empty_database()
            done = restore_in_new_process(bad, target, tmp_path / "m")
            assert (
                done.returncode != 0
                and "备份文件已损坏：数据库部分的SHA-256与清单不符，拒绝恢复。" in done.stderr
            )
            assert tables_in(target) == 0 and not (tmp_path / "m").exists()

    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[:5000])
    with pytest.raises(backup.BackupError, match="拒绝恢复|无法读取"):
        backup.check(truncated)
