"""先进个人推荐审批表 (全国 附件3; 重庆 附件4), with the 2-inch photo."""

from __future__ import annotations

from awards.models import Category, FormKey
from nominations.models import Nomination

from ..grid import LONG, PHOTO, Cell, DocPhoto, Grid, Row, label, value
from . import approval
from .common import (
    appraisals_text,
    approval_title,
    cn_month,
    form_meta,
    honours_text,
    rank_grade_text,
    rank_text,
    recommending_body,
    text,
)

KEY = FormKey.INDIVIDUAL_APPROVAL
TEMPLATE = "documents/pdf/individual_approval.html"
# 7 columns on a 160 mm text width; the last one holds the 2-inch photo (35 × 49 mm paper box).
WIDTHS = [19.0, 24.0, 18.0, 22.0, 19.0, 21.0, 37.0]
PHOTO_BOX_MM = (33.0, 47.0)


def grid(nom: Nomination) -> Grid:
    campaign = nom.campaign
    rank_grade = rank_grade_text(nom)
    if nom.as_professional:
        rank_grade += "（以专业技术人员身份推荐）"
    rank = rank_text(nom)
    if nom.is_alternate:
        rank += "（处级干部备选）"
    years = text(nom.years_in_field)
    photo = Cell("照片", PHOTO, rowspan=3, photo=DocPhoto.from_field(nom.photo), photo_box_mm=PHOTO_BOX_MM)
    rows = [
        # The photo spans the first three rows (17 mm each: room for the 47 mm photo).
        Row([label("姓\u3000\u3000名"), value(text(nom.name)), label("性\u3000\u3000别"),
             value(nom.get_gender_display() if nom.gender else ""), label("出生年月"), value(cn_month(nom.birth_date)), photo],
            height_mm=17),
        Row([label("民\u3000\u3000族"), value(text(nom.ethnicity)), label("政治面貌"), value(text(nom.political_status)),
             label("学\u3000\u3000历"), value(text(nom.education))], height_mm=17),
        Row([label("参加工作\n时\u3000\u3000间"), value(cn_month(nom.work_start_date)), label("职\u3000\u3000级"),
             value(rank_grade), label(f"从事{campaign.field_of_work}年限"), value(f"{years}年" if years else "")], height_mm=17),
        Row([label("身份证号"), value(text(nom.id_number), colspan=3), label("联系电话"), value(text(nom.phone), colspan=2)],
            height_mm=11),
        Row([label("工作单位\n及职务"), value(text(nom.post), colspan=6)], height_mm=11),
        Row([label("所在单位"), value(nom.unit.name, colspan=6)], height_mm=10),
        Row([label("推荐单位"), value(recommending_body(nom), colspan=3), label("推荐排序"), value(rank, colspan=2)],
            height_mm=10),
        Row([label("近五年\n年度考核\n情\u3000\u3000况"), value(appraisals_text(nom), colspan=6)], height_mm=14),
        Row([label("何时何地\n受过何种\n奖\u3000\u3000励"), value(honours_text(nom), colspan=6)], height_mm=18),
        Row([label("主\n要\n事\n迹", hint=f"（约{campaign.deeds_target_chars}字）"), Cell(nom.deeds, LONG, colspan=6)],
            height_mm=60, splittable=True),
        *approval.opinion_rows(campaign, len(WIDTHS)),
    ]
    return Grid(WIDTHS, rows)


def context(nom: Nomination) -> dict:
    meta = form_meta(nom.campaign, KEY, title=approval_title(nom.campaign, Category.INDIVIDUAL))
    return approval.context(nom, meta, grid(nom), individual=True)


def pdf(ctx: dict) -> bytes:
    return approval.pdf(TEMPLATE, ctx)


def docx(ctx: dict) -> bytes:
    return approval.docx(ctx)
