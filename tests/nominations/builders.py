"""Builders on top of tests.chain.helpers: move nominations along the chain at the service level."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from nominations import services
from nominations.models import Consultation
from nominations.rules import unjustified
from publicity import services as publicity
from publicity.models import Scope
from tests.chain.helpers import BRIEF, DEEDS, collective, id_number, individual, photo, procedures  # noqa: F401

REASON = "经单位集体研究，情况属实，特此说明理由。"


def justify_all(nom, user) -> None:
    for w in unjustified(nom):
        services.justify(nom, rule=w.code, text=REASON, actor=user)


def through_unit_publicity(campaign, unit, staff, noms):
    """Justify, record procedures, open the unit notice and close it clean (time travel)."""
    for n in noms:
        justify_all(n, staff)
    procedures(campaign, unit, staff)
    notice = publicity.open_notice(campaign=campaign, scope=Scope.UNIT, issuer=unit, nominations=noms, actor=staff, contact="023-67000000")
    publicity.close_notice(notice.pk, now=notice.closes_at)
    return notice


def submitted(campaign, unit, staff, noms):
    """Nominations sent up by their unit (status SUBMITTED)."""
    through_unit_publicity(campaign, unit, staff, noms)
    services.rank_unit(campaign=campaign, unit=unit, ordered_ids=[n.pk for n in services.unit_nominations(campaign, unit).order_by("pk")], actor=staff)
    services.submit_unit(campaign=campaign, unit=unit, actor=staff)
    for n in noms:
        n.refresh_from_db()
    return noms


def consult_all(nom, screener) -> None:
    for dept in (Consultation.Department.PERSONNEL, Consultation.Department.DISCIPLINE):
        services.record_consultation(nom, department=dept, answer="no_objection", answered_on=dt.date.today(), actor=screener)


def jpeg_bytes(width=330, height=480, exif: bytes | None = None) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    img = Image.new("RGB", (width, height), (70, 110, 200))
    if exif is not None:
        img.save(buf, "JPEG", exif=exif)
    else:
        img.save(buf, "JPEG")
    return buf.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
