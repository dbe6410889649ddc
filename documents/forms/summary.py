"""推荐对象汇总表 (全国 附件5): the ranked list, 按推荐顺序填写 — XLSX, DOCX and PDF.

Not public: it lists each individual's mobile number (the publicity notice never does). One
section per category, in the submitter's order (``Nomination.rank``); the office's table has the
submitting body in front and follows the tree, then the rank.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from awards.models import Campaign, Category, FormKey, Quota
from nominations.models import Nomination
from nominations.rules import char_count

from ..grid import HEAD, Cell, Grid, Row, value
from ..rendering import DOCX_HEADING, Docx, render_pdf
from .common import (
    category_title,
    cn_month,
    filled_on,
    form_meta,
    nominee_name,
    rank_grade_text,
    recommending_body,
    text,
)

KEY = FormKey.SUMMARY
TEMPLATE = "documents/pdf/summary.html"
NUMERALS = "一二三四五六七八九十"


def clip(value_: str, limit: int) -> str:
    """Brief deeds within the campaign's limit (全国 五(一): 不超过300字), counted as the rules count."""
    value_ = (value_ or "").strip()
    if char_count(value_) <= limit:
        return value_
    out, n = [], 0
    for ch in value_:
        if not ch.isspace():
            n += 1
            if n > limit - 1:
                break
        out.append(ch)
    return "".join(out).rstrip() + "…"


@dataclass(frozen=True)
class Column:
    title: str
    width_mm: float
    get: Callable[[Nomination], str]
    center: bool = False


def _rank(n: Nomination) -> str:
    return str(n.rank) if n.rank else ""


def columns(campaign: Campaign, category: str, *, office: bool) -> list[Column]:
    limit = campaign.brief_deeds_max_chars
    deeds = 53.0 if office else 77.0
    if category == Category.COLLECTIVE:
        cols = [
            Column("推荐排序", 14, _rank, True),
            Column("集体名称", 48, nominee_name),
            Column("所在单位", 44, lambda n: n.unit.name),
            Column("单位性质", 20, lambda n: n.get_collective_nature_display() if n.collective_nature else "", True),
            Column("行政级别", 16, lambda n: (n.organisation.admin_level if n.organisation_id and n.organisation.admin_level else "无"), True),
            Column("单位负责人", 18, lambda n: text(n.head_name), True),
            Column("职工人数", 14, lambda n: text(n.staff_count), True),
            Column("简要事迹", deeds + 10, lambda n: clip(n.brief_deeds, limit)),
        ]
    else:
        cols = [
            Column("推荐排序", 14, _rank, True),
            Column("姓名", 18, nominee_name, True),
            Column("性别", 10, lambda n: n.get_gender_display() if n.gender else "", True),
            Column("民族", 14, lambda n: text(n.ethnicity), True),
            Column("出生年月", 18, lambda n: cn_month(n.birth_date), True),
            Column("政治面貌", 18, lambda n: text(n.political_status), True),
            Column("工作单位及职务", 44, lambda n: text(n.post)),
            Column("职级", 22, rank_grade_text),
            Column("简要事迹", deeds, lambda n: clip(n.brief_deeds, limit)),
            Column("手机号码", 26, lambda n: text(n.phone), True),
        ]
    if office:
        cols.insert(0, Column("报送单位", 24, recommending_body, True))
    return cols


@dataclass
class Section:
    heading: str
    category: str
    title: str
    columns: list[Column]
    nominations: list[Nomination]

    @property
    def grid(self) -> Grid:
        rows = [Row([Cell(c.title, HEAD) for c in self.columns], height_mm=9)]
        for n in self.nominations:
            rows.append(Row([value(c.get(n), align="center" if c.center else "left") for c in self.columns]))
        return Grid([c.width_mm for c in self.columns], rows, head_rows=1, font_pt=10)

    def values(self) -> list[list[str]]:
        return [[c.get(n) for c in self.columns] for n in self.nominations]


def order_key(n: Nomination) -> tuple:
    return (n.quota.organisation.path if n.quota_id else "", n.rank is None, n.rank or 0, n.unit.path, n.pk)


def context(campaign: Campaign, nominations: list[Nomination], *, quota: Quota | None = None) -> dict:
    """``quota`` for a submitter's own table; ``None`` for the office's table of every submitter."""
    office = quota is None
    meta = form_meta(campaign, KEY)
    sections = []
    for i, category in enumerate((Category.COLLECTIVE, Category.INDIVIDUAL)):
        rows = sorted((n for n in nominations if n.category == category), key=order_key)
        unit_word = "个" if category == Category.COLLECTIVE else "名"
        title = category_title(campaign, category)
        sections.append(Section(f"{NUMERALS[i]}、{title}（{len(rows)}{unit_word}）", category, title,
                                columns(campaign, category, office=office), rows))
    return {
        "meta": meta,
        "campaign": campaign,
        "quota": quota,
        "submitter": quota.organisation.name if quota else campaign.office.name,
        "sections": sections,
        "filled_on": filled_on(),
        "order_note": "按推荐优先顺序填写" if not office else "按报送单位、推荐优先顺序排列",
    }


def pdf(ctx: dict) -> bytes:
    return render_pdf(TEMPLATE, ctx)


def docx(ctx: dict) -> bytes:
    meta = ctx["meta"]
    d = Docx(margins_mm=(18, 18, 18, 18), landscape=True, size_pt=12)
    d.attachment_number(meta.attachment_number)
    d.title(meta.title, space_after_pt=4)
    d.paragraph(f"（{ctx['order_note']}）", align="center", size_pt=12, space_after_pt=6)
    p = d.paragraph("", size_pt=12, space_after_pt=4)
    d.run(p, f"推荐单位（盖章）：{ctx['submitter']}\u3000\u3000联系人：", size_pt=12)
    d.run(p, "\u3000" * 6, size_pt=12).font.underline = True
    d.run(p, "\u3000\u3000手机：", size_pt=12)
    d.run(p, "\u3000" * 8, size_pt=12).font.underline = True
    d.run(p, f"\u3000\u3000填报日期：{ctx['filled_on']}", size_pt=12)
    for section in ctx["sections"]:
        d.paragraph(section.heading, font=DOCX_HEADING, size_pt=14, space_before_pt=6, space_after_pt=3, keep_with_next=True)
        if section.nominations:
            d.grid(section.grid)
        else:
            d.paragraph("（无）", size_pt=12)
    if meta.copies_text:
        d.paragraph(f"注：本表{meta.copies_text}。", size_pt=10.5, space_before_pt=4)
    d.page_numbers(size_pt=10.5)
    return d.bytes()


def xlsx(ctx: dict) -> bytes:
    """One sheet per category: title, the submitter's line, a header repeated on every printed page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    meta = ctx["meta"]
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font, head_font = Font(name="仿宋", size=11), Font(name="黑体", size=11, bold=True)
    for section in ctx["sections"]:
        ws = wb.create_sheet(title=str(Category(section.category).label))
        n_cols = len(section.columns)
        last = get_column_letter(n_cols)
        ws["A1"] = meta.attachment_number
        ws["A1"].font = Font(name="黑体", size=14, bold=True)
        ws.merge_cells(f"A2:{last}2")
        ws["A2"] = f"{meta.title}（{section.title}）"
        ws["A2"].font = Font(name="黑体", size=18, bold=True)
        ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[2].height = 32
        ws.merge_cells(f"A3:{last}3")
        ws["A3"] = (f"推荐单位（盖章）：{ctx['submitter']}    联系人：          手机：            "
                    f"填报日期：{ctx['filled_on']}    （{ctx['order_note']}"
                    + (f"，{meta.copies_text}" if meta.copies_text else "") + "）")
        ws["A3"].font = body_font
        for i, col in enumerate(section.columns, start=1):
            cell = ws.cell(row=4, column=i, value=col.title)
            cell.font, cell.border = head_font, border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(i)].width = max(6.0, round(col.width_mm / 2.1, 1))
        for r, values in enumerate(section.values(), start=5):
            for i, (col, val) in enumerate(zip(section.columns, values, strict=True), start=1):
                # Numbers as text where they are identifiers (mobile), numbers where they are counts (rank).
                cell = ws.cell(row=r, column=i, value=int(val) if col.title == "推荐排序" and val.isdigit() else val)
                cell.font, cell.border = body_font, border
                cell.alignment = Alignment(horizontal="center" if col.center else "left", vertical="center", wrap_text=True)
        if not section.nominations:
            ws.cell(row=5, column=1, value="（无）").font = body_font
        ws.freeze_panes = "A5"
        ws.print_title_rows = "4:4"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
