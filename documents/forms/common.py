"""What every form shares: its number and copies in the campaign, titles, dates, blanks."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from awards.models import Campaign, Category, FormKey
from nominations.models import Nomination
from orgs.models import Level


def text(value) -> str:
    """A value as printed: empty fields are blank, never "None"."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def cn_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_month(value: dt.date | None) -> str:
    """出生年月, 参加工作时间 as personnel forms print them: 1985.06."""
    return f"{value.year}.{value.month:02d}" if value else ""


def safe_filename(name: str) -> str:
    """A file name any desktop accepts: no path separators or reserved characters."""
    name = re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", name).strip(" ._")
    return name[:120] or "文件"


@dataclass(frozen=True)
class FormMeta:
    key: str
    title: str
    attachment_number: str  # "附件4"; "" when the campaign does not number this form
    copies: int

    @property
    def copies_text(self) -> str:
        return f"一式{self.copies}份" if self.copies > 1 else ""

    def filename(self, *parts: str, ext: str) -> str:
        head = "_".join(p for p in (self.attachment_number, self.title, *parts) if p)
        return f"{safe_filename(head)}.{ext}"


def form_meta(campaign: Campaign, key: str, *, title: str | None = None) -> FormMeta:
    """The campaign's numbering and copies for a form (全国 附件1–6, 重庆 附件3–5)."""
    row = next((f for f in campaign.forms.all() if f.key == key), None)
    copies = row.copies if row else (campaign.formal_copies if key in APPROVAL_KEYS else 1)
    return FormMeta(key, title or str(FormKey(key).label), row.attachment_number if row else "", copies)


APPROVAL_KEYS = (FormKey.COLLECTIVE_APPROVAL, FormKey.INDIVIDUAL_APPROVAL)


def category_title(campaign: Campaign, kind: str) -> str:
    """The award title of a category, e.g. 全国知识产权系统先进个人."""
    row = next((c for c in campaign.categories.all() if c.kind == kind), None)
    return row.title if row else str(Category(kind).label)


def honour_name(campaign: Campaign) -> str:
    """Both titles in one: 全国知识产权系统先进集体和先进个人."""
    collective, individual = category_title(campaign, Category.COLLECTIVE), category_title(campaign, Category.INDIVIDUAL)
    prefix = os.path.commonprefix([collective, individual])
    cut = prefix.rfind("先进")
    base = prefix[:cut] if cut >= 0 else prefix
    return f"{base}{collective[len(base):]}和{individual[len(base):]}"


def approval_title(campaign: Campaign, kind: str) -> str:
    return f"{category_title(campaign, kind)}推荐审批表"


def commendation_level(campaign: Campaign) -> str:
    """表彰级别 on the cover: a national campaign is 省部级; a provincial one 市（厅局）级."""
    return "省部级" if campaign.root.level == Level.NATION else "市（厅局）级"


def opinion_levels(campaign: Campaign) -> list[str]:
    """The opinion blocks, bottom-up: one per level of the campaign's chain, the last the leading group."""
    levels = list(campaign.chain_levels or [])
    blocks = ["所在单位意见"]
    for name in levels[1:-1]:
        blocks.append(f"{name}意见")
    blocks.append("评选表彰工作领导小组审批意见")
    return blocks


def recommending_body(nom: Nomination) -> str:
    """推荐单位: the district, department or provincial body that ranks and submits."""
    return nom.quota.organisation.name if nom.quota_id else ""


def rank_text(nom: Nomination) -> str:
    if nom.rank:
        return f"第{nom.rank}位"
    return ""


def nominee_name(nom: Nomination) -> str:
    if nom.is_collective:
        return nom.organisation.name if nom.organisation_id else ""
    return text(nom.name)


def appraisals_text(nom: Nomination) -> str:
    rows = sorted(nom.appraisals.all(), key=lambda a: a.year)
    return "；".join(f"{a.year}年度：{a.get_result_display()}" for a in rows)


def honours_text(nom: Nomination) -> str:
    lines = []
    for h in sorted(nom.honours.all(), key=lambda h: h.year):
        by = f"被{h.conferred_by}" if h.conferred_by else ""
        lines.append(f"{h.year}年{by}授予“{h.title}”（{h.get_level_display()}）")
    return "\n".join(lines)


def rank_grade_text(nom: Nomination) -> str:
    return nom.get_rank_grade_display() if nom.rank_grade else ""


def filled_on() -> str:
    return cn_date(timezone.localdate())
