"""先进集体推荐审批表 (全国 附件2; 重庆 附件3)."""

from __future__ import annotations

from awards.models import Category, FormKey
from nominations.models import CollectiveNature, Nomination

from ..grid import CHECKS, LONG, Cell, Grid, Row, label, value
from . import approval
from .common import approval_title, form_meta, honours_text, nominee_name, rank_text, recommending_body, text

KEY = FormKey.COLLECTIVE_APPROVAL
TEMPLATE = "documents/pdf/collective_approval.html"
WIDTHS = [28.0, 52.0, 28.0, 52.0]


def grid(nom: Nomination) -> Grid:
    campaign = nom.campaign
    org = nom.organisation
    natures = [(str(label_), nom.collective_nature == key) for key, label_ in CollectiveNature.choices]
    staff = text(nom.staff_count)
    rows = [
        Row([label("集体名称"), value(nominee_name(nom), colspan=3)], height_mm=12),
        Row([label("所在单位"), value(nom.unit.name, colspan=3)], height_mm=11),
        Row([label("推荐单位"), value(recommending_body(nom)), label("推荐排序"), value(rank_text(nom))], height_mm=11),
        Row([label("单位性质"), Cell("", CHECKS, colspan=3, options=natures)], height_mm=14),
        Row([label("行政级别"), value(text(org.admin_level) if org and org.admin_level else "无"),
             label("职工人数"), value(f"{staff}人" if staff else "")], height_mm=11),
        Row([label("单位负责人"), value(text(nom.head_name)), label("通讯地址"), value(text(nom.address))], height_mm=11),
        Row([label("何时何地\n受过何种奖励"), value(honours_text(nom), colspan=3)], height_mm=20),
        Row([label("主\n要\n事\n迹", hint=f"（约{campaign.deeds_target_chars}字）"), Cell(nom.deeds, LONG, colspan=3)],
            height_mm=80, splittable=True),
        *approval.opinion_rows(campaign, len(WIDTHS)),
    ]
    return Grid(WIDTHS, rows)


def context(nom: Nomination) -> dict:
    meta = form_meta(nom.campaign, KEY, title=approval_title(nom.campaign, Category.COLLECTIVE))
    return approval.context(nom, meta, grid(nom), individual=False)


def pdf(ctx: dict) -> bytes:
    return approval.pdf(TEMPLATE, ctx)


def docx(ctx: dict) -> bytes:
    return approval.docx(ctx)
