"""Display helpers: masked personal numbers, dates in Chinese, status tags in words."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html

from nominations import masking

register = template.Library()


register.filter("mask_id", masking.mask_id)
register.filter("mask_phone", masking.mask_phone)


@register.filter
def cn_date(value) -> str:
    """2026年9月30日 (in text); aware datetimes in Asia/Shanghai."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_datetime(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@register.simple_tag
def status_tag(nom):
    return format_html('<span class="status-tag status-{}">{}</span>', nom.status, nom.get_status_display())


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.filter
def chars(value) -> int:
    """字数 as the rules count it (characters, not the whitespace between them)."""
    from nominations.rules import char_count

    return char_count(value or "")
