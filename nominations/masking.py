"""Personal numbers are shown masked on every page; the full value only in the unit's own edit form
and through the audited 查看完整号码 (nominations.views.reveal). The masks live in core.pii."""

from __future__ import annotations

from core.pii import mask_id, mask_phone, mask_text

__all__ = ["MASKS", "mask_id", "mask_phone", "mask_text"]

MASKS = {"id_number": mask_id, "phone": mask_phone}
