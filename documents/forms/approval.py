"""What the two 推荐审批表 share: the cover, the opinion blocks and the filling notes."""

from __future__ import annotations

from awards.models import Campaign
from nominations.models import Nomination

from ..grid import Grid, Row, opinion_row
from ..rendering import DOCX_HEADING, DOCX_TITLE, Docx, render_pdf
from .common import FormMeta, commendation_level, filled_on, nominee_name, recommending_body


def cover(nom: Nomination) -> list[tuple[str, str]]:
    return [
        ("推荐对象", nominee_name(nom)),
        ("推荐单位", recommending_body(nom)),
        ("表彰级别", commendation_level(nom.campaign)),
        ("填表日期", filled_on()),
    ]


def opinion_rows(campaign: Campaign, widths: int) -> list[Row]:
    from .common import opinion_levels

    return [opinion_row(caption, widths=widths) for caption in opinion_levels(campaign)]


def notes(campaign: Campaign, meta: FormMeta, *, individual: bool) -> list[str]:
    items = [
        "本表用A4纸双面打印" + (f"，{meta.copies_text}" if meta.copies_text else "") + "。",
        "用仿宋小四号字填写，数字使用阿拉伯数字；没有的项目填“无”。",
        f"“主要事迹”栏{campaign.deeds_target_chars}字左右，可另附页。",
        "各级意见栏须写明意见，并加盖公章、注明日期。",
    ]
    if individual:
        items.append("照片为本人近期2寸彩色证件照。")
    return items


def context(nom: Nomination, meta: FormMeta, grid: Grid, *, individual: bool) -> dict:
    campaign = nom.campaign
    return {
        "meta": meta,
        "campaign": campaign,
        "nom": nom,
        "name": nominee_name(nom),
        "cover": cover(nom),
        "cover_title": [meta.title[: -len("推荐审批表")], "推荐审批表"] if meta.title.endswith("推荐审批表") else [meta.title],
        "issuer": campaign.issuing_bodies,
        "grid": grid,
        "notes": notes(campaign, meta, individual=individual),
    }


def pdf(template: str, ctx: dict) -> bytes:
    return render_pdf(template, ctx)


def docx(ctx: dict) -> bytes:
    meta: FormMeta = ctx["meta"]
    d = Docx()
    # Cover page.
    d.attachment_number(meta.attachment_number)
    for _ in range(5):
        d.paragraph("", size_pt=16)
    for line in ctx["cover_title"]:
        d.paragraph(line, align="center", font=DOCX_TITLE, size_pt=22, bold=True)
    for _ in range(6):
        d.paragraph("", size_pt=16)
    for caption, value in ctx["cover"]:
        p = d.paragraph("", size_pt=16, space_after_pt=14, indent_chars=0)
        p.paragraph_format.left_indent = d.Mm(30)
        d.run(p, f"{caption}：", size_pt=16, font=DOCX_HEADING)
        run = d.run(p, value or "\u3000" * 12, size_pt=16)
        run.font.underline = True
    for _ in range(5):
        d.paragraph("", size_pt=16)
    d.paragraph(f"{ctx['issuer']}\u3000制", align="center", size_pt=16)
    if meta.copies_text:
        d.paragraph(f"（{meta.copies_text}）", align="center", size_pt=14)
    d.page_break()
    # The form.
    d.title(meta.title, size_pt=18)
    d.grid(ctx["grid"])
    d.paragraph("填表说明：", font=DOCX_HEADING, size_pt=10.5, space_before_pt=6)
    for i, note in enumerate(ctx["notes"], start=1):
        d.paragraph(f"{i}. {note}", size_pt=10.5)
    d.page_numbers(size_pt=10.5)
    return d.bytes()
