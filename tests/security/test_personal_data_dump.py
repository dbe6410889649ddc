"""A database dump holds no plaintext ID number or phone: ``manage.py dumpdata``, the SQLite file's
raw bytes, and on PostgreSQL ``pg_dump`` (skipped on SQLite)."""

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection

from nominations.models import Nomination
from publicity import services as publicity
from tests.chain.helpers import id_number, individual
from tests.publicity.helpers import unit_notice

# Committed rows: the raw database file and pg_dump see only what is committed.
pytestmark = pytest.mark.django_db(transaction=True)

PHONES = ["13700000001", "15911112222", "18623334444"]
OBJECTOR_PHONE = "13355556666"
STAFF_PHONE = "13988887777"


@pytest.fixture
def seeded(campaign, yubei, users):
    staff = users["unit_yubei"]
    staff.phone = STAFF_PHONE
    staff.save()
    noms = [individual(campaign, yubei, staff, seq=500 + i, name=f"张{500 + i}号", phone=p) for i, p in enumerate(PHONES)]
    noms[0].post = "副科长"  # a second history row for each value
    noms[0].save()
    notice = unit_notice(campaign, yubei, staff, noms=noms)
    publicity.file_objection(entry=notice.entries.first(), name="赵某某", contact=f"手机{OBJECTOR_PHONE}", facts="反映的具体事实如下。",
                             client="k")
    ids = [n.id_number for n in noms]
    assert ids == [id_number(500 + i) for i in range(3)]
    return {"ids": ids, "phones": [*PHONES, OBJECTOR_PHONE, STAFF_PHONE], "names": [n.name for n in noms]}


def _assert_clean(blob: bytes, seeded, where: str) -> None:
    for name in seeded["names"]:
        assert name.encode() in blob, f"{where}: the dump is not a dump of the seeded data ({name})"
    for secret in seeded["ids"] + seeded["phones"]:
        assert secret.encode() not in blob, f"{where}: plaintext {secret[:3]}… found"
    # Not even the 14 digits before the check character, nor with the check character in lower case.
    for secret in seeded["ids"]:
        assert secret[:14].encode() not in blob, where


def test_dumpdata_holds_only_ciphertext_and_loads_back(seeded):
    out = io.StringIO()
    call_command("dumpdata", "nominations", "orgs", "publicity", "audit", format="json", indent=None, stdout=out)
    dump = out.getvalue()
    _assert_clean(dump.encode(), seeded, "dumpdata")
    _assert_clean(json.dumps(json.loads(dump), ensure_ascii=False).encode(), seeded, "dumpdata (unescaped)")
    assert '"id_number": "enc:' in dump.replace("\\u0022", '"') or '"id_number":"enc:' in dump
    # loaddata decrypts what dumpdata wrote: the dump is a usable backup.
    objects = [o.object for o in serializers.deserialize("json", dump) if isinstance(o.object, Nomination)]
    assert {o.id_number for o in objects} >= set(seeded["ids"])


def test_raw_database_bytes_hold_no_plaintext(seeded):
    if connection.vendor == "sqlite":
        connection.close()  # everything is committed; the file is read as a thief would read it
        name = Path(connection.settings_dict["NAME"])
        blob = b"".join(p.read_bytes() for p in (name, Path(f"{name}-wal"), Path(f"{name}-journal")) if p.exists())
        _assert_clean(blob, seeded, "sqlite file")
    elif connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            pytest.skip("pg_dump is not installed")
        db = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        cmd = [pg_dump, "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres",
               "--data-only", db["NAME"]]
        result = subprocess.run(cmd, env=env, capture_output=True, timeout=300)
        assert result.returncode == 0, result.stderr.decode()
        _assert_clean(result.stdout, seeded, "pg_dump")
    else:
        pytest.skip(f"no raw dump check for {connection.vendor}")
