"""推荐对象初审表 (全国 附件1): what the provincial body checked before the initial review.

Holds the brief deeds (全国 五(一): 简要事迹不超过300字), the unit's democratic recommendation,
collective study and publicity, and the opinion of the body that screens (初审意见).
"""

from __future__ import annotations

from awards.models import FormKey
from nominations.models import Nomination, UnitProcedure
from publicity.formatting import window_text
from publicity.models import Scope

from ..grid import LONG, Cell, Grid, Row, label, opinion_row, value
from ..rendering import DOCX_HEADING, Docx, render_pdf
from .common import (
    appraisals_text,
    cn_date,
    cn_month,
    form_meta,
    nominee_name,
    rank_grade_text,
    rank_text,
    recommending_body,
    text,
)

KEY = FormKey.INITIAL_REVIEW
TEMPLATE = "documents/pdf/initial_review.html"
WIDTHS = [30.0, 50.0, 30.0, 50.0]


def _procedure_text(procedures: list[UnitProcedure], kind: str) -> str:
    rows = [p for p in procedures if p.kind == kind]
    return "\n".join(f"{cn_date(p.held_on)}，参加人员：{p.attendees}；结果：{p.result}" for p in rows)


def _publicity_text(nom: Nomination) -> str:
    entries = [e for e in nom.notice_entries.all() if e.notice.scope == Scope.UNIT]
    lines = []
    for e in entries:
        objections = e.objections_total  # counted by the database (documents.selectors.with_form_data)
        lines.append(f"公示时间：{window_text(e.notice)}；收到异议{objections}件。" if objections
                     else f"公示时间：{window_text(e.notice)}；公示期间未收到异议。")
    return "\n".join(lines)


def grid(nom: Nomination, procedures: list[UnitProcedure]) -> Grid:
    campaign = nom.campaign
    rows = [
        Row([label("推荐类别"), value(nom.get_category_display()), label("推荐排序"), value(rank_text(nom))], height_mm=10),
        Row([label("推荐对象"), value(nominee_name(nom), colspan=3)], height_mm=10),
        Row([label("所在单位"), value(nom.unit.name, colspan=3)], height_mm=10),
        Row([label("推荐单位"), value(recommending_body(nom), colspan=3)], height_mm=10),
    ]
    if nom.is_collective:
        org = nom.organisation
        rows += [
            Row([label("单位性质"), value(nom.get_collective_nature_display() if nom.collective_nature else ""),
                 label("行政级别"), value(org.admin_level if org and org.admin_level else "无")], height_mm=10),
            Row([label("单位负责人"), value(text(nom.head_name)), label("职工人数"),
                 value(f"{nom.staff_count}人" if nom.staff_count is not None else "")], height_mm=10),
        ]
    else:
        years = text(nom.years_in_field)
        rows += [
            Row([label("性\u3000\u3000别"), value(nom.get_gender_display() if nom.gender else ""),
                 label("出生年月"), value(cn_month(nom.birth_date))], height_mm=10),
            Row([label("政治面貌"), value(text(nom.political_status)), label("职\u3000\u3000级"), value(rank_grade_text(nom))],
                height_mm=10),
            Row([label("工作单位及职务"), value(text(nom.post), colspan=3)], height_mm=10),
            Row([label(f"从事{campaign.field_of_work}年限"), value(f"{years}年" if years else ""),
                 label("近五年年度\n考核情况"), value(appraisals_text(nom))], height_mm=14),
        ]
    rows += [
        Row([label("简要事迹", hint=f"（不超过{campaign.brief_deeds_max_chars}字）"), Cell(nom.brief_deeds, LONG, colspan=3)],
            height_mm=40, splittable=True),
        Row([label("民主推荐情况"), value(_procedure_text(procedures, UnitProcedure.Kind.DEMOCRATIC), colspan=3)], height_mm=14),
        Row([label("领导班子\n集体研究情况"), value(_procedure_text(procedures, UnitProcedure.Kind.LEADERSHIP), colspan=3)],
            height_mm=14),
        Row([label("单位公示情况"), value(_publicity_text(nom), colspan=3)], height_mm=14),
        opinion_row(f"{_screening_level(campaign)}初审意见", widths=len(WIDTHS)),
    ]
    return Grid(WIDTHS, rows)


def _screening_level(campaign) -> str:
    levels = list(campaign.chain_levels or [])
    return levels[1] if len(levels) > 2 else "推荐单位"


def context(nom: Nomination, procedures: list[UnitProcedure] | None = None) -> dict:
    if procedures is None:
        procedures = list(UnitProcedure.objects.filter(campaign=nom.campaign, unit=nom.unit).order_by("held_on"))
    meta = form_meta(nom.campaign, KEY)
    return {"meta": meta, "campaign": nom.campaign, "nom": nom, "name": nominee_name(nom), "grid": grid(nom, procedures)}


def pdf(ctx: dict) -> bytes:
    return render_pdf(TEMPLATE, ctx)


def docx(ctx: dict) -> bytes:
    meta = ctx["meta"]
    d = Docx()
    d.attachment_number(meta.attachment_number)
    d.title(meta.title)
    d.grid(ctx["grid"])
    if meta.copies_text:
        d.paragraph(f"注：本表{meta.copies_text}。", size_pt=10.5, space_before_pt=4, font=DOCX_HEADING)
    d.page_numbers(size_pt=10.5)
    return d.bytes()
