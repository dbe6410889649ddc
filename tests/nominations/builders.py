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
from tests.pdf import PDF  # noqa: F401 (imported from here by the tests)

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




def _management(prefix: str, total: int, initial: int = 0, max_num: int = 1000) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": str(max_num),
    }


def individual_post(campaign, *, seq: int = 7, honours=(("2022", "municipal", "重庆市知识产权保护工作先进个人", "重庆市知识产权局"),), **overrides) -> dict:
    """What the individual form posts, filled in so that every rule passes."""
    data = {
        "name": f"李{seq}号", "gender": "female", "ethnicity": "汉族", "birth_date": "1986-03-01",
        "political_status": "中共党员", "education": "大学本科", "work_start_date": "2008-07-01",
        "post": "渝北区知识产权保护中心科员", "division": "", "rank_grade": "section_staff",
        "id_number": id_number(seq), "phone": "13800138000", "years_in_field": "6",
        "ownership": "", "prior_same_commendation": "", "deeds": DEEDS, "brief_deeds": BRIEF,
        **_management("appraisals", 5, 5, 5), **_management("honours", len(honours)),
    }
    for i, year in enumerate(range(campaign.year - 5, campaign.year)):
        data[f"appraisals-{i}-year"] = str(year)
        data[f"appraisals-{i}-result"] = "excellent" if i == 0 else "competent"
    for i, (year, level, title, by) in enumerate(honours):
        data.update({f"honours-{i}-year": year, f"honours-{i}-level": level, f"honours-{i}-title": title, f"honours-{i}-conferred_by": by})
    data.update(overrides)
    return data


def collective_post(unit, *, leaders=(("王局长", "主任"), ("赵副主任", "副主任")), **overrides) -> dict:
    data = {
        "organisation": str(unit.pk), "collective_nature": "public_institution", "head_name": "李主任",
        "staff_count": "20", "address": "重庆市渝北区", "ownership": "", "prior_same_commendation": "",
        "deeds": DEEDS, "brief_deeds": BRIEF, "no_violation_commitment": "on", **_management("leaders", len(leaders)),
    }
    for i, (name, post) in enumerate(leaders):
        data.update({f"leaders-{i}-name": name, f"leaders-{i}-post": post})
    data.update(overrides)
    return data
