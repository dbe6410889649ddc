"""Builders for nominations that pass every rule unless told otherwise."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from awards.models import Category
from nominations import services
from nominations.models import Appraisal, Nomination, UnitProcedure
from nominations.rules import ID_CHECK, ID_WEIGHTS

DEEDS = "该同志长期从事知识产权保护工作，" * 70  # ~1050 characters
BRIEF = "长期从事知识产权保护工作，查办侵权案件成效显著。" * 8


def id_number(seq: int, birth: dt.date = dt.date(1985, 6, 1)) -> str:
    body = f"500112{birth:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK[total % 11]


def photo(width: int = 330, height: int = 480, fmt: str = "JPEG") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (70, 110, 200)).save(buf, fmt)
    return SimpleUploadedFile("photo.jpg", buf.getvalue(), content_type="image/jpeg")


def individual(campaign, unit, actor, *, seq: int = 1, appraisals: bool = True, **overrides) -> Nomination:
    fields = dict(
        name=f"张{seq}号", gender="male", ethnicity="汉族", birth_date=dt.date(1985, 6, 1), political_status="中共党员",
        education="大学本科", id_number=id_number(seq), phone="13800138000", post=f"{unit.name}科员",
        rank_grade="section_staff", years_in_field=Decimal("6"), deeds=DEEDS, brief_deeds=BRIEF, photo=photo(),
    )
    fields.update(overrides)
    nom = services.create_nomination(campaign=campaign, unit=unit, category=Category.INDIVIDUAL, actor=actor, **fields)
    if appraisals:
        for i, year in enumerate(range(campaign.year - 5, campaign.year)):
            Appraisal.objects.create(nomination=nom, year=year, result="excellent" if i == 0 else "competent")
    return nom


def collective(campaign, unit, actor, *, organisation=None, leaders=("王局长",), **overrides) -> Nomination:
    fields = dict(
        organisation=organisation or unit, collective_nature="public_institution", head_name="李主任", staff_count=20,
        address="重庆市渝北区", no_violation_commitment=True, deeds=DEEDS, brief_deeds=BRIEF,
    )
    fields.update(overrides)
    nom = services.create_nomination(campaign=campaign, unit=unit, category=Category.COLLECTIVE, actor=actor, **fields)
    for name in leaders:
        nom.leaders.create(name=name, post="班子成员")
    return nom


def procedures(campaign, unit, actor) -> None:
    for kind in UnitProcedure.Kind.values:
        services.record_unit_procedure(
            campaign=campaign, unit=unit, kind=kind, actor=actor, held_on=dt.date.today(),
            attendees="全体职工 32 人", result="同意推荐",
        )
