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


def payload_text(values: dict) -> str:
    """The row's hashed text after the previous hash (audit.log hashes it in PostgreSQL too)."""
    payload = {name: values[name] for name in FIELDS}
    payload["at"] = values["at"].isoformat(timespec="microseconds")
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def row_hash(prev_hash: str, values: dict) -> str:
    return hashlib.sha256((prev_hash + payload_text(values)).encode()).hexdigest()


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
    head = ChainHead.objects.filter(pk=1).first() if queryset is None else None
    # The whole trail starts at the anchor: the genesis, or the last row a retention purge removed.
    prev = head.anchor_hash if head is not None else None
    checked = 0
    last_id = None
    for row in rows.iterator(chunk_size=2000):
        values = {name: getattr(row, name) for name in FIELDS}
        if prev is not None and row.prev_hash != prev:
            if checked == 0:
                return Verdict(False, checked, row.id, f"第{row.id}条记录之前的记录被删除（不是按保存期限清理的）。")
            return Verdict(False, checked, row.id, f"第{row.id}条记录与前一条记录不衔接（其前的记录被删除或插入）。")
        if row_hash(row.prev_hash, values) != row.hash:
            return Verdict(False, checked, row.id, f"第{row.id}条记录的内容与其哈希不符（记录被篡改）。")
        prev = row.hash
        last_id = row.id
        checked += 1
    if head is not None:
        if head.count and prev != head.last_hash:
            where = f"第{last_id}条记录之后" if last_id is not None else "全部"
            return Verdict(False, checked, last_id, f"最新记录与链头不符：{where}的记录被删除。")
    return Verdict(True, checked, None, f"已核验{checked}条记录，哈希链完整。")
