"""How a notice states its dates, as Chinese official notices do (UI.md: 2026年9月30日 in text)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

# Defence in depth for text typed by staff into public fields (brief deeds, names, posts): the
# snapshot never copies ID numbers or phones, but a number typed into the deeds would be shown.
ID_NUMBER_RE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def redact(text: str) -> str:
    text = ID_NUMBER_RE.sub("（证件号码不予公开）", text or "")
    return MOBILE_RE.sub("（电话号码不予公开）", text)


def cn_date(value: dt.date | dt.datetime, *, with_year: bool = True) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    text = f"{value.month}月{value.day}日"
    return f"{value.year}年{text}" if with_year else text


def first_day(notice) -> dt.date:
    return timezone.localtime(notice.opens_at).date()


def window_text(notice) -> str:
    """公示时间：2026年9月30日至10月12日 — the end without its year when the year is the same."""
    start, end = first_day(notice), notice.last_day
    return f"{cn_date(start)}至{cn_date(end, with_year=end.year != start.year)}"


def deadline_text(notice) -> str:
    """（10月12日24时截止）: the window closes at the end of its last working day."""
    start, end = first_day(notice), notice.last_day
    return f"{cn_date(end, with_year=end.year != start.year)}24时截止"
