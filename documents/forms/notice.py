"""The publicity notice (公示) as a PDF, laid out after GB/T 9704-2012.

Printed from the notice's own snapshot (``NoticeEntry``): name, unit and post, brief deeds — the
fields that may be public. ID numbers, phones, birth dates, political status and appraisals are
not in the snapshot, and what staff typed into the public fields passes through ``redact`` as on
the public page.
"""

from __future__ import annotations

from awards.models import Category
from publicity.formatting import cn_date, deadline_text, redact, window_text
from publicity.models import Notice, NoticeEntry, Scope

from ..grid import HEAD, Cell, Grid, Row, value
from ..rendering import render_pdf
from .common import safe_filename

TEMPLATE = "documents/pdf/notice.html"
WIDTHS = [12.0, 22.0, 34.0, 40.0, 48.0]  # 156 mm: the GB/T 9704 text block


def issuer_name(notice: Notice) -> str:
    return notice.campaign.issuing_bodies if notice.scope == Scope.FINAL else notice.issuer.name


def grid(entries: list[NoticeEntry]) -> Grid:
    rows = [Row([Cell("序号", HEAD), Cell("类别", HEAD), Cell("名称/姓名", HEAD), Cell("单位及职务", HEAD),
                 Cell("简要事迹", HEAD)], height_mm=9)]
    for e in entries:
        category = str(Category(e.category).label) if e.category in Category.values else e.category
        rows.append(Row([
            value(str(e.position), align="center"), value(category, align="center"), value(redact(e.name)),
            value(redact(e.unit_and_post)), value(redact(e.brief_deeds)),
        ]))
    return Grid(WIDTHS, rows, head_rows=1)


def context(notice: Notice, entries: list[NoticeEntry]) -> dict:
    return {
        "notice": notice,
        "title": notice.title,
        "intro": [p for p in redact(notice.intro).splitlines() if p.strip()],
        "count": len(entries),
        "grid": grid(entries),
        "window": window_text(notice),
        "deadline": deadline_text(notice),
        "how_to_object": [p for p in redact(notice.how_to_object).splitlines() if p.strip()],
        # Even the contact line: a personal mobile typed there is not printed (landlines are).
        "contact": redact(notice.contact),
        "correction": notice.correction_note if notice.replaces_id else "",
        "issuer": issuer_name(notice),
        "date": cn_date(notice.opens_at),
        "campaign": notice.campaign,
    }


def filename(notice: Notice) -> str:
    return f"{safe_filename(notice.title)}.pdf"


def pdf(ctx: dict) -> bytes:
    return render_pdf(TEMPLATE, ctx, stylesheet="official.css")
