"""Hashing and verification of the audit chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64
FIELDS = (
    "at", "user_id_value", "username", "role", "action", "object_type", "object_id", "object_repr",
    "outcome", "client_ip", "detail",
)


def row_hash(prev_hash: str, values: dict) -> str:
    payload = {name: values[name] for name in FIELDS}
    payload["at"] = values["at"].isoformat(timespec="microseconds")
    text = prev_hash + json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Verdict:
    ok: bool
    checked: int
    broken_at: int | None = None  # id of the first row that does not match
    message: str = ""


def verify(queryset=None) -> Verdict:
    """Walk the chain oldest first; the first row may follow a purged one (its prev_hash is the anchor)."""
    from .models import AuditEvent, ChainHead

    rows = (queryset if queryset is not None else AuditEvent.objects.all()).order_by("id")
    prev = None
    checked = 0
    for row in rows.iterator(chunk_size=2000):
        values = {name: getattr(row, name) for name in FIELDS}
        if prev is not None and row.prev_hash != prev:
            return Verdict(False, checked, row.id, f"第{row.id}条记录与前一条记录不衔接（记录被删除或插入）。")
        if row_hash(row.prev_hash, values) != row.hash:
            return Verdict(False, checked, row.id, f"第{row.id}条记录的内容与其哈希不符（记录被篡改）。")
        prev = row.hash
        checked += 1
    if queryset is None:
        head = ChainHead.objects.filter(pk=1).first()
        if head is not None and head.count and prev != head.last_hash:
            return Verdict(False, checked, None, "最新记录与链头不符（末尾记录被删除）。")
    return Verdict(True, checked, None, f"已核验{checked}条记录，哈希链完整。")
