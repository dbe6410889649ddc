"""The auditor's export of filtered rows, as XLSX (openpyxl, write-only) or CSV (UTF-8 with a BOM,
which Excel opens as Chinese text)."""

from __future__ import annotations

import csv
import io
import json

from django.utils import timezone

from .models import Action, Outcome

MAX_ROWS = 100_000  # one export; narrow the filters for more
HEADERS = ["编号", "时间", "用户名", "角色", "操作", "对象类型", "对象编号", "对象", "结果", "客户端地址", "详情", "哈希"]
ACTIONS = dict(Action.choices)
OUTCOMES = dict(Outcome.choices)


def _safe(value: str) -> str:
    """A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def rows(qs):
    for e in qs[:MAX_ROWS].iterator(chunk_size=2000):
        yield [
            e.pk,
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            _safe(e.username), _safe(e.role), str(ACTIONS.get(e.action, e.action)),
            _safe(e.object_type), _safe(e.object_id), _safe(e.object_repr),
            str(OUTCOMES.get(e.outcome, e.outcome)), _safe(e.client_ip),
            _safe(json.dumps(e.detail, ensure_ascii=False, sort_keys=True)), e.hash,
        ]


def to_xlsx(qs) -> tuple[bytes, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("审计日志")
    sheet.append(HEADERS)
    count = 0
    for row in rows(qs):
        sheet.append(row)
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count


def to_csv(qs) -> tuple[bytes, int]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    count = 0
    for row in rows(qs):
        writer.writerow(row)
        count += 1
    return ("\ufeff" + out.getvalue()).encode("utf-8"), count
