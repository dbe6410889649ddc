"""Personal numbers encrypted at rest (等保2.0 三级 8.1.4.8 / PIPL 第五十一条: 加密等安全技术措施), and
the uploaded import spreadsheets that carry them (``encrypt_bytes``).

``EncryptedCharField`` stores ``enc:<key id>:<base64(nonce ‖ AES-256-GCM ciphertext ‖ tag)>``; the
model attribute always holds the plaintext, so forms, rules and documents read the real value in
Python. The database, its dumps (``dumpdata``, ``pg_dump``) and simple-history's tables hold only
ciphertext. Encryption is randomised, so the database cannot compare values: a
``BlindIndexField`` next to it holds a keyed HMAC-SHA256 of the normalised value for the lookups
and de-duplication that need equality (``filter(id_number_index=blind_index(x))``).

Keys (settings, from the environment):

- ``FIELD_ENCRYPTION_KEY``: ``<key id>:<base64 of 32 bytes>`` (or just the base64; key id ``k1``).
  New values are encrypted with it. Production requires it (config/settings/production.py).
  In development, when unset, a key with id ``dev`` is derived from ``SECRET_KEY`` (HKDF-SHA256):
  stable across restarts, worthless once ``SECRET_KEY`` is known — development only.
- ``FIELD_ENCRYPTION_OLD_KEYS``: comma-separated ``<key id>:<base64>`` still accepted for decryption
  while ``manage.py reencrypt_personal_data`` rewrites every value under the current key (rotation).
- ``FIELD_BLIND_INDEX_KEY``: base64 of the HMAC key; defaults to one derived from the current
  encryption key, so rotating that key without setting this one means re-running the command
  (it recomputes the indexes too).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc:"
NONCE_BYTES = 12


def _hkdf(material: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"pingxuan-field-encryption", info=info).derive(material)


def _parse_key(spec: str, default_id: str = "k1") -> tuple[str, bytes]:
    spec = spec.strip()
    key_id, _, b64 = spec.rpartition(":")
    key_id = key_id or default_id
    try:
        key = base64.b64decode(b64, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 须为 base64 编码的32字节密钥") from exc
    if len(key) != 32 or ":" in key_id:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 须为 <密钥编号>:<base64 编码的32字节密钥>")
    return key_id, key


@functools.cache
def _keys(current: str, old: str, secret: str) -> tuple[str, dict[str, bytes]]:
    if current:
        key_id, key = _parse_key(current)
    else:
        key_id, key = "dev", _hkdf(secret.encode(), b"dev-field-key")
    keys = {key_id: key}
    for spec in filter(None, (s.strip() for s in old.split(","))):
        old_id, old_key = _parse_key(spec)
        keys.setdefault(old_id, old_key)
    return key_id, keys


def keyring() -> tuple[str, dict[str, bytes]]:
    """(current key id, {key id: key}) from the settings."""
    return _keys(
        getattr(settings, "FIELD_ENCRYPTION_KEY", "") or "",
        getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", "") or "",
        settings.SECRET_KEY,
    )


@functools.cache
def _index_key(explicit: str, current_key: bytes) -> bytes:
    if explicit:
        return base64.b64decode(explicit)
    return _hkdf(current_key, b"blind-index")


def encrypt(plaintext: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, keys = keyring()
    nonce = os.urandom(NONCE_BYTES)
    # The key id is bound as associated data: a value cannot be passed off under another key.
    sealed = AESGCM(keys[key_id]).encrypt(nonce, plaintext.encode(), key_id.encode())
    return f"{PREFIX}{key_id}:{base64.b64encode(nonce + sealed).decode()}"


# Files (the import spreadsheets under media): the same keys and cipher, with the key id in a header.
FILE_MAGIC = b"AWARDS-ENC1\n"


def encrypt_bytes(data: bytes) -> bytes:
    """A file's content sealed under the current key: ``FILE_MAGIC`` ‖ key id ‖ ``\n`` ‖ nonce ‖ ciphertext ‖ tag."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, keys = keyring()
    nonce = os.urandom(NONCE_BYTES)
    return FILE_MAGIC + key_id.encode() + b"\n" + nonce + AESGCM(keys[key_id]).encrypt(nonce, data, key_id.encode())


def decrypt_bytes(stored: bytes) -> bytes:
    """The content of ``encrypt_bytes``; a file stored before files were encrypted is returned as it is."""
    if not stored.startswith(FILE_MAGIC):
        return stored
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, _, raw = stored[len(FILE_MAGIC):].partition(b"\n")
    keys = keyring()[1]
    if key_id.decode() not in keys:
        raise ImproperlyConfigured(f"缺少编号为“{key_id.decode()}”的字段加密密钥（FIELD_ENCRYPTION_OLD_KEYS）")
    return AESGCM(keys[key_id.decode()]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id)


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def decrypt(stored: str) -> str:
    """The plaintext of an ``enc:`` value; anything else is returned unchanged (not yet encrypted)."""
    if not is_encrypted(stored):
        return stored
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, _, b64 = stored[len(PREFIX):].partition(":")
    keys = keyring()[1]
    if key_id not in keys:
        raise ImproperlyConfigured(f"缺少编号为“{key_id}”的字段加密密钥（FIELD_ENCRYPTION_OLD_KEYS）")
    raw = base64.b64decode(b64)
    return AESGCM(keys[key_id]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode()).decode()


def key_id_of(stored: str) -> str:
    return stored[len(PREFIX):].partition(":")[0] if is_encrypted(stored) else ""


def normalise_id(value: str) -> str:
    return "".join((value or "").split()).upper()


def blind_index(value: str) -> str:
    """Keyed HMAC-SHA256 of the normalised value; "" for an empty value."""
    value = normalise_id(value)
    if not value:
        return ""
    key_id, keys = keyring()
    key = _index_key(getattr(settings, "FIELD_BLIND_INDEX_KEY", "") or "", keys[key_id])
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.CharField):
    """A CharField whose column holds AES-GCM ciphertext; ``max_length`` limits the plaintext.

    The column is TEXT (ciphertext is longer than the plaintext). Equality lookups on it cannot
    match (each encryption differs): use the blind index. The empty string stays empty, so
    ``exclude(field="")`` still works.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def to_python(self, value):
        # loaddata hands the dumped ciphertext here.
        value = super().to_python(value)
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def value_to_string(self, obj) -> str:
        # dumpdata writes the ciphertext, never the plaintext.
        value = self.value_from_object(obj)
        return encrypt(value) if value else (value or "")


class BlindIndexField(models.CharField):
    """HMAC of another field of the same model, computed on every save (and on bulk_create)."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("editable", False), ("db_index", True), ("default", "")):
            if kwargs.get(key, object()) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = blind_index(getattr(model_instance, self.source, "") or "")
        setattr(model_instance, self.attname, value)
        return value


def rewrite_rows(model, fields: list[str], indexes: list[tuple[str, str]] = ()) -> int:
    """Rewrite every row's encrypted ``fields`` under the current key and recompute ``indexes``
    (``(index field, source field)``). Plaintext left from before encryption is read as is, so
    this is both the data migration and the key-rotation step. Returns the number of rows."""
    manager = model._base_manager
    count = 0
    for row in manager.values_list("pk", *fields).iterator(chunk_size=500):
        values = dict(zip(fields, row[1:], strict=True))
        changes = {name: value or "" for name, value in values.items()}
        for index, source in indexes:
            changes[index] = blind_index(values[source] or "")
        manager.filter(pk=row[0]).update(**changes)
        count += 1
    return count


def migrate_encrypt(label: str, model_names: list[str], fields: list[str], indexes: list[tuple[str, str]] = ()):
    """A ``RunPython`` forward function encrypting existing plaintext of these models."""

    def forward(apps, schema_editor):
        for name in model_names:
            rewrite_rows(apps.get_model(label, name), fields, indexes)

    return forward
