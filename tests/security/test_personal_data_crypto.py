"""ID numbers and phones are encrypted at rest (core.crypto): the columns, the history and the
blind index, read back from the real database."""

import base64
import io
import os

import pytest
from django.core.management import call_command
from django.db import connection

from core import crypto
from nominations.models import Nomination
from orgs.models import User
from tests.chain.helpers import id_number, individual

pytestmark = pytest.mark.django_db


def _raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def test_round_trip_and_randomised_ciphertext_with_key_id():
    a, b = crypto.encrypt("500112198506010011"), crypto.encrypt("500112198506010011")
    assert a != b  # a random nonce each time: equal numbers cannot be spotted in the table
    assert a.startswith("enc:dev:") and crypto.key_id_of(a) == "dev"
    assert crypto.decrypt(a) == crypto.decrypt(b) == "500112198506010011"


def test_tampered_ciphertext_is_refused():
    from cryptography.exceptions import InvalidTag

    stored = crypto.encrypt("13800138000")
    raw = bytearray(base64.b64decode(stored.split(":", 2)[2]))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt("enc:dev:" + base64.b64encode(bytes(raw)).decode())


def test_file_content_round_trip_refuses_tampering_and_reads_older_plain_files(settings):
    from cryptography.exceptions import InvalidTag

    data = b"PK\x03\x04 500112198506010011 13800138000"
    sealed = crypto.encrypt_bytes(data)
    assert sealed.startswith(crypto.FILE_MAGIC + b"dev\n") and b"500112198506010011" not in sealed
    assert crypto.encrypt_bytes(data) != sealed  # a random nonce each time
    assert crypto.decrypt_bytes(sealed) == data
    assert crypto.decrypt_bytes(data) == data  # stored before files were encrypted
    with pytest.raises(InvalidTag):
        crypto.decrypt_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))
    # After a rotation the old key, kept in FIELD_ENCRYPTION_OLD_KEYS, still opens what it sealed.
    old_key = _key("k0")
    settings.FIELD_ENCRYPTION_KEY = old_key
    under_old = crypto.encrypt_bytes(data)
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = _key("k1"), old_key
    assert crypto.encrypt_bytes(data).startswith(crypto.FILE_MAGIC + b"k1\n")
    assert crypto.decrypt_bytes(under_old) == data


def test_columns_and_history_hold_ciphertext_and_the_model_reads_plaintext(campaign, yubei, users):
    nom = individual(campaign, yubei, users["unit_yubei"], seq=401, phone="13711112222")
    nom.post = "科长"
    nom.save()
    (stored_id, stored_phone, index), = _raw(
        "SELECT id_number, phone, id_number_index FROM nominations_nomination WHERE id = %s", nom.pk
    )
    assert stored_id.startswith("enc:") and id_number(401) not in stored_id
    assert stored_phone.startswith("enc:") and "13711112222" not in stored_phone
    assert index == crypto.blind_index(id_number(401)) and len(index) == 64
    history = _raw("SELECT id_number, phone FROM nominations_historicalnomination WHERE id = %s", nom.pk)
    assert len(history) >= 2
    assert all(i.startswith("enc:") and p.startswith("enc:") for i, p in history)
    fresh = Nomination.objects.get(pk=nom.pk)
    assert (fresh.id_number, fresh.phone) == (id_number(401), "13711112222")
    assert {h.id_number for h in fresh.history.all()} == {id_number(401)}
    # The lookup "is this person already nominated" runs on the blind index, case-insensitively.
    assert list(Nomination.objects.filter(id_number_index=crypto.blind_index(id_number(401).lower())).values_list("pk", flat=True)) == [nom.pk]


def test_user_phone_is_encrypted(users):
    user = users["office"]
    user.phone = "13622223333"
    user.save()
    (stored,), = _raw("SELECT phone FROM orgs_user WHERE id = %s", user.pk)
    assert stored.startswith("enc:") and "13622223333" not in stored
    assert User.objects.get(pk=user.pk).phone == "13622223333"


def test_rotation_old_key_still_reads_and_the_command_rewrites_under_the_new_key(settings, campaign, yubei, users):
    old, new = _key("k2025"), _key("k2026")
    settings.FIELD_ENCRYPTION_KEY = old
    settings.FIELD_BLIND_INDEX_KEY = base64.b64encode(b"i" * 32).decode()  # kept across the rotation
    nom = individual(campaign, yubei, users["unit_yubei"], seq=402)
    (before,), = _raw("SELECT id_number FROM nominations_nomination WHERE id = %s", nom.pk)
    assert crypto.key_id_of(before) == "k2025"

    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = new, old
    assert Nomination.objects.get(pk=nom.pk).id_number == id_number(402)
    out = io.StringIO()
    call_command("reencrypt_personal_data", stdout=out)
    assert "nominations.Nomination" in out.getvalue()
    (after, index), = _raw("SELECT id_number, id_number_index FROM nominations_nomination WHERE id = %s", nom.pk)
    assert crypto.key_id_of(after) == "k2026"
    assert index == crypto.blind_index(id_number(402))
    history = _raw("SELECT id_number FROM nominations_historicalnomination WHERE id = %s", nom.pk)
    assert {crypto.key_id_of(h) for h, in history} == {"k2026"}

    settings.FIELD_ENCRYPTION_OLD_KEYS = ""  # the old key retired: everything still reads
    assert Nomination.objects.get(pk=nom.pk).id_number == id_number(402)


def test_plaintext_left_from_before_is_encrypted_by_the_rewrite(campaign, yubei, users):
    nom = individual(campaign, yubei, users["unit_yubei"], seq=403)
    _raw("UPDATE nominations_nomination SET id_number = %s, id_number_index = '' WHERE id = %s", id_number(403), nom.pk)
    assert Nomination.objects.get(pk=nom.pk).id_number == id_number(403)  # legacy plaintext still reads
    crypto.rewrite_rows(Nomination, ["id_number", "phone"], [("id_number_index", "id_number")])
    (stored, index), = _raw("SELECT id_number, id_number_index FROM nominations_nomination WHERE id = %s", nom.pk)
    assert stored.startswith("enc:") and index == crypto.blind_index(id_number(403))


def test_production_settings_refuse_to_start_without_the_key():
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **{k: v for k, v in os.environ.items() if k not in ("FIELD_ENCRYPTION_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")},
        "DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "awards.example.gov.cn",
    }
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "FIELD_ENCRYPTION_KEY" in result.stderr
