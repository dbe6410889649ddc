"""推荐对象征求意见表 (全国 附件4; 重庆 附件5): one row per consulted department, with its answer and date.

The departments are the ones the rules require for this nominee (组织人事、纪检监察; enterprises
also 生态环境、税务、市场监管、应急管理, 审计 or 统战、工商联) plus any other recorded; a required
department with no answer yet is printed as an empty row, to be filled in by hand.
"""

from __future__ import annotations

from awards.models import FormKey
from nominations.models import Consultation, Nomination
from nominations.rules import required_consultations

from ..grid import HEAD, LONG, Cell, Grid, Row, label, value
from ..rendering import DOCX_HEADING, Docx, render_pdf
from .common import cn_date, form_meta, nominee_name, rank_text, recommending_body, text

KEY = FormKey.CONSULTATION
TEMPLATE = "documents/pdf/consultation.html"
HEAD_WIDTHS = [30.0, 50.0, 30.0, 50.0]
LIST_WIDTHS = [12.0, 34.0, 56.0, 34.0, 24.0]


def _police(nom: Nomination):
    try:
        review = nom.review
    except Exception:  # no Review yet (RelatedObjectDoesNotExist)
        return None
    return review if review.police_answer else None


def department_rows(nom: Nomination) -> list[tuple[str, str, str, str]]:
    """(部门, 部门名称, 意见, 日期) in the order of the departments."""
    got = {c.department: c for c in nom.consultations.all()}
    wanted = list(required_consultations(nom)) + [d for d in got if d not in required_consultations(nom)]
    order = list(Consultation.Department.values)
    rows = []
    for dept in sorted(set(wanted), key=order.index):
        c = got.get(dept)
        name = str(Consultation.Department(dept).label)
        if c is None:
            rows.append((name, "", "", ""))
            continue
        answer = c.get_answer_display() + (f"\n{c.opinion}" if c.opinion.strip() else "")
        rows.append((name, text(c.department_name), answer, cn_date(c.answered_on)))
    review = _police(nom)
    if review is not None and Consultation.Department.POLICE not in got:
        rows.append(("公安", "", review.get_police_answer_display(), cn_date(review.police_answered_on)))
    return rows


def grids(nom: Nomination) -> tuple[Grid, Grid]:
    who = nominee_name(nom)
    post = nom.unit.name if nom.is_collective else text(nom.post)
    head = Grid(HEAD_WIDTHS, [
        Row([label("推荐对象"), value(who), label("推荐类别"), value(nom.get_category_display())], height_mm=10),
        Row([label("所在单位" if nom.is_collective else "工作单位及职务"), value(post, colspan=3)], height_mm=10),
        Row([label("推荐单位"), value(recommending_body(nom)), label("推荐排序"), value(rank_text(nom))], height_mm=10),
        Row([label("简要事迹"), Cell(nom.brief_deeds, LONG, colspan=3)], height_mm=24, splittable=True),
    ])
    rows = [Row([Cell("序号", HEAD), Cell("征求意见部门", HEAD), Cell("意见", HEAD), Cell("回复日期", HEAD),
                 Cell("盖章", HEAD)], height_mm=9)]
    for i, (dept, dept_name, answer, date) in enumerate(department_rows(nom), start=1):
        label_text = dept + (f"\n（{dept_name}）" if dept_name else "")
        rows.append(Row([value(str(i), align="center"), value(label_text, align="center"), value(answer),
                         value(date, align="center"), value("")], height_mm=18))
    return head, Grid(LIST_WIDTHS, rows, head_rows=1, font_pt=11)


def context(nom: Nomination) -> dict:
    meta = form_meta(nom.campaign, KEY)
    head, listing = grids(nom)
    return {
        "meta": meta, "campaign": nom.campaign, "nom": nom, "name": nominee_name(nom), "head_grid": head,
        "list_grid": listing,
        "note": "征求意见工作由推荐单位统一组织办理，不得由推荐对象本人自行办理。"
                + (f"本表{meta.copies_text}。" if meta.copies_text else ""),
    }


def pdf(ctx: dict) -> bytes:
    return render_pdf(TEMPLATE, ctx)


def docx(ctx: dict) -> bytes:
    meta = ctx["meta"]
    d = Docx()
    d.attachment_number(meta.attachment_number)
    d.title(meta.title)
    d.grid(ctx["head_grid"])
    d.paragraph("", size_pt=6)
    d.grid(ctx["list_grid"])
    d.paragraph(f"注：{ctx['note']}", size_pt=10.5, space_before_pt=4, font=DOCX_HEADING)
    d.page_numbers(size_pt=10.5)
    return d.bytes()
