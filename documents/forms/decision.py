"""The draft commendation decision (表彰决定代拟稿), DOCX and PDF, after GB/T 9704-2012.

The list is the campaign's final list — the reviews marked ``Final.AWARDED`` once the decision is
issued — or, before that, the proposed list (``proposed``), each under its category's award title.
"""

from __future__ import annotations

from dataclasses import dataclass

from awards.models import Campaign, Category
from reviews.models import Review

from ..rendering import DOCX_HEADING, DOCX_TITLE, Docx, render_pdf
from .common import category_title, cn_date, honour_name, safe_filename, text

TEMPLATE = "documents/pdf/decision.html"
NUMERALS = "一二三四五六七八九十"


@dataclass
class Group:
    heading: str
    title: str
    lines: list[str]


def roster_line(review: Review) -> str:
    """名单 as decisions print it: 何海燕（女，土家族）  重庆市渝北区知识产权保护中心科长."""
    nom = review.nomination
    if nom.is_collective:
        return nom.display_name
    notes = []
    if nom.gender == "female":
        notes.append("女")
    if nom.ethnicity and nom.ethnicity not in ("汉", "汉族"):
        notes.append(nom.ethnicity)
    name = nom.name + (f"（{'，'.join(notes)}）" if notes else "")
    return f"{name}\u3000{text(nom.post) or nom.unit.name}"


def _groups(campaign: Campaign, reviews: list[Review]) -> list[Group]:
    groups = []
    for i, kind in enumerate((Category.COLLECTIVE, Category.INDIVIDUAL)):
        rows = [r for r in reviews if r.category == kind]
        word = "个" if kind == Category.COLLECTIVE else "名"
        title = category_title(campaign, kind)
        groups.append(Group(f"{NUMERALS[i]}、{title}（{len(rows)}{word}）", title, [roster_line(r) for r in rows]))
    return groups


def context(campaign: Campaign, reviews: list[Review], *, awarded: bool, decided_on=None) -> dict:
    bodies = campaign.issuing_bodies.split()
    name = honour_name(campaign)
    groups = _groups(campaign, reviews)
    clauses = []
    for kind, word in ((Category.COLLECTIVE, "个集体"), (Category.INDIVIDUAL, "名同志")):
        rows = [r for r in reviews if r.category == kind]
        if not rows:
            continue
        lead = rows[0].nomination.display_name
        if len(rows) > 1:
            who = f"{lead}等{len(rows)}{word}"
        else:
            who = f"{lead}同志" if kind == Category.INDIVIDUAL else lead
        clauses.append(f"授予{who}“{category_title(campaign, kind)}”称号")
    decision = "，".join(clauses) if clauses else "（拟表彰对象名单待定）"
    scope = "全国知识产权系统" if campaign.root.level == "nation" else f"{campaign.root.name}知识产权系统"
    body = [
        f"近年来，{scope}广大干部职工深入贯彻落实党中央、国务院关于知识产权工作的决策部署，"
        f"立足岗位、拼搏奉献，涌现出一批成绩突出的先进集体和先进个人。为表彰先进、树立典型，"
        f"激励广大干部职工担当作为、建功立业，{'、'.join(bodies)}决定，{decision}。",
        "希望受到表彰的先进集体和先进个人珍惜荣誉，戒骄戒躁，再接再厉，充分发挥示范引领作用，"
        "在新的起点上再创佳绩。各地区、各单位要以先进为榜样，锐意进取，扎实工作，"
        "为知识产权强国建设作出新的更大贡献。",
    ]
    return {
        "campaign": campaign,
        "title_lines": title_lines(bodies, name),
        "draft": not awarded,
        "status_note": "（依据正式表彰名单）" if awarded else "（依据拟表彰对象名单）",
        "body": body,
        "annex_title": f"{name}名单",
        "annex_lines": split_subject("", name, "名单"),
        "groups": groups,
        "bodies": bodies,
        "date": cn_date(decided_on) if decided_on else "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日",
        "count": len(reviews),
    }


TITLE_CHARS = 20  # about what one line of 2号 type holds in the 156 mm text block


def title_lines(bodies: list[str], name: str) -> list[str]:
    """The title in lines that break between words, as GB/T 9704 7.3.3 asks (梯形或菱形, 词意完整)."""
    lines = [" ".join(bodies)] if len(" ".join(bodies)) <= TITLE_CHARS else list(bodies)
    return [*lines, *split_subject("关于表彰", name, "的决定")]


def split_subject(before: str, name: str, after: str) -> list[str]:
    """关于表彰…先进集体和先进个人的决定 in two lines, cut before the award titles when too long."""
    whole = f"{before}{name}{after}"
    cut = name.rfind("先进", 0, name.find("和") if "和" in name else len(name))
    if len(whole) <= TITLE_CHARS or cut <= 0:
        return [whole]
    return [f"{before}{name[:cut]}", f"{name[cut:]}{after}"]


def filename(campaign: Campaign, ext: str) -> str:
    return f"{safe_filename('表彰决定代拟稿_' + honour_name(campaign))}.{ext}"


def pdf(ctx: dict) -> bytes:
    return render_pdf(TEMPLATE, ctx, stylesheet="official.css")


LINE_PT = 28.95  # GB/T 9704: 22 lines in the 225 mm text block


def docx(ctx: dict) -> bytes:
    d = Docx(margins_mm=(37, 26, 35, 28), size_pt=16, line_pt=LINE_PT)
    if ctx["draft"]:
        d.paragraph("代拟稿", align="right", font=DOCX_HEADING, size_pt=16)
    for line in ctx["title_lines"]:
        d.paragraph(line, align="center", font=DOCX_TITLE, size_pt=22, bold=True)
    d.paragraph("")
    for para in ctx["body"]:
        d.paragraph(para, align="justify", indent_chars=2)
    d.paragraph("")
    d.paragraph(f"附件：{ctx['annex_title']}", indent_chars=2)
    d.paragraph("")
    d.paragraph("\u3000".join(ctx["bodies"]), align="right", right_indent_chars=2)
    d.paragraph(ctx["date"], align="right", right_indent_chars=4)
    d.page_break()
    d.paragraph("附件", font=DOCX_HEADING)
    d.paragraph("")
    for line in ctx["annex_lines"]:
        d.paragraph(line, align="center", font=DOCX_TITLE, size_pt=22, bold=True)
    d.paragraph("")
    for group in ctx["groups"]:
        d.paragraph(group.heading, font=DOCX_HEADING, indent_chars=2, keep_with_next=True)
        for line in group.lines or ["（无）"]:
            d.paragraph(line, indent_chars=2)
    d.page_numbers(size_pt=14, outer=True)
    return d.bytes()
