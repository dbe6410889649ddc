from django import template

from awards.models import Category

from .. import formatting

register = template.Library()


@register.filter
def cn_date(value):
    return formatting.cn_date(value) if value else ""


@register.filter
def window_text(notice):
    return formatting.window_text(notice)


@register.filter
def deadline_text(notice):
    return formatting.deadline_text(notice)


@register.filter
def redact(text):
    """Public text typed by staff: ID numbers and mobile numbers never reach a public page."""
    return formatting.redact(text)


@register.filter
def category_label(value):
    try:
        return Category(value).label
    except ValueError:
        return value


@register.filter
def closes_text(notice):
    """The closing instant as staff tables show it: the last day at 24:00, not the next day at 00:00."""
    return f"{notice.last_day:%Y-%m-%d} 24:00"


@register.filter
def mask_contact(text):
    """The objector's contact for staff who do not handle the objection: numbers masked."""
    from core.pii import mask_text

    return mask_text(text)
