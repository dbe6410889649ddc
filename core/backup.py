"""Backup and restore (等保2.0 数据备份恢复): one archive of the database and the uploaded files.

An archive is an uncompressed tar (its parts are compressed already) holding:

- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite's online backup API);
- ``media.tar``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: when, from which database engine, the SHA-256 and size of each part, the row
  count of every model and the audit chain head, all taken from the same snapshot as the dump.

``restore`` accepts only an empty database and an empty upload folder, checks every part against
the manifest before writing anything, and after restoring checks the row counts and the audit
hash chain (``audit.chain.verify``) against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DB_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
PARTS = {MANIFEST, MEDIA, *DB_FILES.values()}


class BackupError(Exception):
    """Refused or failed; the message is for the operator (Chinese)."""


@dataclass
class Restored:
    manifest: dict
    tables: int
    rows: int
    media_files: int
    audit_message: str


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_tables() -> dict[str, str]:
    """``{"app.Model": db table}`` of every concrete model, many-to-many tables included."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy:
            tables.setdefault(meta.label, meta.db_table)
    return dict(sorted(tables.items()))


def _counts(cursor, quote) -> dict[str, int]:
    counts = {}
    for label, table in model_tables().items():
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[label] = cursor.fetchone()[0]
    return counts


def _audit_state(cursor) -> dict:
    from audit.chain import GENESIS

    cursor.execute("SELECT last_hash, count FROM audit_chainhead WHERE id = 1")
    head = cursor.fetchone()
    cursor.execute("SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
    last = cursor.fetchone()
    return {
        "head_hash": head[0] if head else GENESIS,
        "head_count": head[1] if head else 0,
        "last_hash": last[0] if last else "",
    }


def _pg_command(program: str, db: dict) -> tuple[list[str], dict]:
    args = [program, "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(args: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{what}失败：找不到 {args[0]}（请安装 postgresql-client）。") from exc
    if done.returncode:
        raise BackupError(f"{what}失败：{done.stderr.strip()[-500:]}")


def _dump_database(work: Path) -> tuple[Path, dict[str, int], dict]:
    """Dump the database; the counts and the audit head come from the same snapshot."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        target = work / DB_FILES["sqlite"]
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # a consistent copy while the application keeps writing
            cursor = copy.cursor()
            counts = _counts(cursor, lambda t: f'"{t}"')
            audit = _audit_state(cursor)
        finally:
            copy.close()
            source.close()
        return target, counts, audit
    if connection.vendor != "postgresql":
        raise BackupError(f"不支持的数据库：{connection.vendor}。")
    target = work / DB_FILES["postgresql"]
    connection.ensure_connection()  # its set-up statements run before the snapshot's transaction
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        args, env = _pg_command("pg_dump", db)
        _run(
            [*args, "--format=custom", f"--snapshot={snapshot}", "--file", str(target), db["NAME"]],
            env,
            "导出数据库",
        )
        counts = _counts(cursor, connection.ops.quote_name)
        audit = _audit_state(cursor)
    return target, counts, audit


def _pack_media(work: Path) -> tuple[Path, int]:
    target = work / MEDIA
    root = Path(settings.MEDIA_ROOT)
    files = 0
    with tarfile.open(target, "w") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
                    files += 1
    return target, files


def backup(output_dir: Path | None = None) -> tuple[Path, dict]:
    """Write one archive into ``output_dir`` (``BACKUP_DIR``); return its path and manifest."""
    output = Path(output_dir or settings.BACKUP_DIR)
    output.mkdir(parents=True, exist_ok=True)
    os.chmod(output, 0o700)  # archives hold personal information
    created = timezone.now()
    with tempfile.TemporaryDirectory(dir=output, prefix=".work-") as tmp:
        work = Path(tmp)
        db_path, counts, audit = _dump_database(work)
        media_path, media_files = _pack_media(work)
        from django.db.migrations.recorder import MigrationRecorder

        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "vendor": connection.vendor,
            "database": {"file": db_path.name, "sha256": sha256(db_path), "bytes": db_path.stat().st_size},
            "media": {
                "file": MEDIA,
                "sha256": sha256(media_path),
                "bytes": media_path.stat().st_size,
                "files": media_files,
            },
            "counts": counts,
            "audit": audit,
            "migrations": MigrationRecorder.Migration.objects.count(),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        name = f"awards-backup-{timezone.localtime(created):%Y%m%d-%H%M%S}.tar"
        n = 1
        while (output / name).exists():  # two in one second
            n += 1
            name = f"awards-backup-{timezone.localtime(created):%Y%m%d-%H%M%S}-{n}.tar"
        partial = work / (name + ".partial")
        with tarfile.open(partial, "w") as tar:
            for part in (MANIFEST, db_path.name, MEDIA):
                tar.add(work / part, arcname=part)
        os.chmod(partial, 0o600)
        final = output / name
        os.replace(partial, final)  # atomic: a half-written archive never has the final name
    return final, manifest


def prune(output_dir: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` archives."""
    archives = sorted(Path(output_dir).glob("awards-backup-*.tar"), key=lambda p: (p.stat().st_mtime, p.name))
    old = archives[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


def _open_archive(archive: Path, work: Path) -> dict:
    """Extract the parts into ``work`` and check them against the manifest; return the manifest."""
    try:
        with tarfile.open(archive, "r:") as tar:
            members = {m.name: m for m in tar.getmembers()}
            unknown = set(members) - PARTS
            if unknown or MANIFEST not in members or any(not m.isfile() for m in members.values()):
                raise BackupError("备份文件的内容与格式不符（多出、缺少或异常的文件），拒绝恢复。")
            for member in members.values():
                with tar.extractfile(member) as src, open(work / member.name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"无法读取备份文件 {archive.name}：{exc}") from exc
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
        parts = {"数据库": manifest["database"], "上传文件": manifest["media"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError("备份清单（manifest.json）无法解析，拒绝恢复。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式版本：{manifest.get('format')}。")
    for label, part in parts.items():
        path = work / str(part.get("file"))
        if part.get("file") not in PARTS or not path.exists():
            raise BackupError(f"备份文件缺少{label}部分，拒绝恢复。")
        if sha256(path) != part.get("sha256"):
            raise BackupError(f"备份文件已损坏：{label}部分的SHA-256与清单不符，拒绝恢复。")
    return manifest


def check(archive: Path) -> dict:
    """Check an archive's parts against its manifest, restoring nothing."""
    with tempfile.TemporaryDirectory(prefix="awards-check-") as tmp:
        return _open_archive(Path(archive), Path(tmp))


def _refuse_unless_empty(manifest: dict) -> None:
    vendor = manifest.get("vendor")
    if vendor != connection.vendor:
        names = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
        raise BackupError(
            f"备份来自{names.get(vendor, vendor)}数据库，当前数据库是{names.get(connection.vendor, connection.vendor)}，不能直接恢复。"
        )
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"目标数据库不是空库（已有{len(tables)}张数据表），拒绝恢复。请新建一个空数据库后再恢复。"
        )
    media = Path(settings.MEDIA_ROOT)
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"上传文件目录 {media} 不是空目录，拒绝恢复。请指定一个空目录（MEDIA_ROOT）。")


def _load_database(manifest: dict, work: Path) -> None:
    source = work / manifest["database"]["file"]
    db = connection.settings_dict
    connection.close()
    if connection.vendor == "sqlite":
        src, dst = sqlite3.connect(source), sqlite3.connect(db["NAME"])
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return
    args, env = _pg_command("pg_restore", db)
    _run([*args, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
          "--dbname", db["NAME"], str(source)], env, "恢复数据库")  # fmt: skip


def _unpack_media(work: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(work / MEDIA, "r:") as tar:
        tar.extractall(root, filter="data")  # no absolute paths, no "..", no links out of the folder
    return sum(1 for p in root.rglob("*") if p.is_file())


def verify_restored(manifest: dict) -> tuple[int, str]:
    """Row counts equal the manifest and the audit chain is whole and ends at its head."""
    from audit.chain import verify

    with connection.cursor() as cursor:
        counts = _counts(cursor, connection.ops.quote_name)
        audit = _audit_state(cursor)
    expected = manifest["counts"]
    wrong = [f"{label}（备份{expected.get(label)}条，恢复{counts.get(label)}条）"
             for label in sorted(set(expected) | set(counts)) if expected.get(label) != counts.get(label)]  # fmt: skip
    if wrong:
        raise BackupError("恢复后的记录数与备份清单不符：" + "；".join(wrong[:10]))
    verdict = verify()
    if not verdict.ok:
        raise BackupError(f"恢复后的审计哈希链校验失败：{verdict.message}")
    if audit != manifest["audit"]:
        raise BackupError("恢复后的审计链头与备份清单不符。")
    return sum(counts.values()), verdict.message


def restore(archive: Path) -> Restored:
    """Restore an archive into the configured (empty) database and media folder, then verify it."""
    with tempfile.TemporaryDirectory(prefix="awards-restore-") as tmp:
        work = Path(tmp)
        manifest = _open_archive(Path(archive), work)
        _refuse_unless_empty(manifest)
        _load_database(manifest, work)
        media_files = _unpack_media(work)
    if media_files != manifest["media"]["files"]:
        raise BackupError(
            f"恢复的上传文件数（{media_files}）与备份清单（{manifest['media']['files']}）不符。"
        )
    rows, message = verify_restored(manifest)
    return Restored(manifest, len(manifest["counts"]), rows, media_files, message)


def describe(manifest: dict) -> str:
    rows = sum(manifest["counts"].values())
    return (f"{manifest['created_at']} · {manifest['vendor']} · {len(manifest['counts'])}个模型共{rows}条记录 · "
            f"{manifest['media']['files']}个上传文件 · 审计链头 {manifest['audit']['head_hash'][:16]}…")  # fmt: skip
