"""推荐工作联系表 (全国 附件6): who at a provincial body (a district, a department) handles the work.

DOCX only, as the notice asks (盖章扫描件和电子版): the body's name and address are filled in,
the contact person's lines are left for the body to write and stamp.
"""

from __future__ import annotations

from awards.models import Campaign, FormKey, Quota

from ..grid import Grid, Row, label, value
from ..rendering import Docx
from .common import form_meta, honour_name, text

KEY = FormKey.CONTACT
WIDTHS = [34.0, 46.0, 34.0, 46.0]


def context(campaign: Campaign, quota: Quota) -> dict:
    org = quota.organisation
    title = f"{honour_name(campaign)}评选表彰推荐工作联系表"
    meta = form_meta(campaign, KEY, title=title)
    levels = list(campaign.chain_levels or [])
    body_caption = (levels[1] if len(levels) > 2 else "推荐单位") + "名称"
    grid = Grid(WIDTHS, [
        Row([label(body_caption), value(org.name, colspan=3)], height_mm=13),
        Row([label("联系人"), value(""), label("职务"), value("")], height_mm=13),
        Row([label("办公电话"), value(""), label("手机"), value("")], height_mm=13),
        Row([label("传真"), value(""), label("电子邮箱"), value("")], height_mm=13),
        Row([label("通讯地址"), value(text(org.address), colspan=3)], height_mm=13),
        Row([label("邮政编码"), value(""), label("备注"), value("")], height_mm=13),
    ])
    return {"meta": meta, "campaign": campaign, "quota": quota, "organisation": org, "grid": grid}


def docx(ctx: dict) -> bytes:
    meta = ctx["meta"]
    d = Docx()
    d.attachment_number(meta.attachment_number)
    d.title(meta.title, size_pt=16)
    d.grid(ctx["grid"])
    d.paragraph("", size_pt=12)
    d.paragraph(f"{ctx['organisation'].name}（盖章）", align="right", size_pt=14, right_indent_chars=2, space_before_pt=24)
    d.paragraph("年\u3000\u3000月\u3000\u3000日", align="right", size_pt=14, right_indent_chars=2, space_before_pt=8)
    return d.bytes()
