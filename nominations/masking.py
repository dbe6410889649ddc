"""Personal numbers are shown masked on every page (the full value only in the unit's own edit form)."""

from __future__ import annotations


def mask_id(value: str) -> str:
    """身份证号 shown as 5001**********123X: the first 4 and last 4 characters only."""
    value = (value or "").strip()
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """Phone shown as 138****8000: the first 3 and last 4 characters only."""
    value = (value or "").strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


MASKS = {"id_number": mask_id, "phone": mask_phone}
