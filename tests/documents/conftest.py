"""Fixtures for the documents: nominations as a district ranked and sent them, with what the forms print."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import pytest

from awards.models import Campaign, Category
from nominations.models import Consultation, Honour, Nomination, Status
from tests.chain import conftest as chain
from tests.chain.helpers import collective, individual, photo

# The chain's fixtures: the live Chongqing demo campaign, its users and organisations, a media folder per test.
campaign, demo, media_root, org, users = chain.campaign, chain.demo, chain.media_root, chain.org, chain.users


# Numbered sentences, so that a test can tell that every part of a long text made it through.
def numbered_deeds(marker: str, chars: int = 1000) -> str:
    parts, n = [], 0
    while sum(len(p) for p in parts) < chars:
        n += 1
        parts.append(f"{marker}第{n:03d}句：该同志牵头查办专利侵权纠纷案件，推动行政裁决与司法衔接。")
    return "".join(parts)[:chars]


DEEDS_MARK = "渝北维权"
COLLECTIVE_MARK = "保护中心集体"


@pytest.fixture
def pages_dir() -> Path:
    path = Path(os.environ.get("VAR_DIR", "var")) / "pages"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def weasy_log(caplog):
    """WeasyPrint's warnings (missing glyphs, unloadable fonts) are captured for every PDF test."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    return caplog


def glyph_warnings(caplog) -> list[str]:
    return [
        r.getMessage() for r in caplog.records
        if r.name.startswith("weasyprint") and (".notdef" in r.getMessage() or "no glyph" in r.getMessage().lower())
    ]


@pytest.fixture
def package(campaign, users, org):
    """渝北区's package: two individuals and one collective, accepted and ranked, with consultations."""
    staff, screener = users["unit_yubei"], users["district_yubei"]
    center = org("渝北区知识产权保护中心")
    court = org("渝北区人民法院")
    first = individual(
        campaign, center, staff, seq=11, name="林雨桐", post="渝北区知识产权保护中心副主任",
        deeds=numbered_deeds(DEEDS_MARK), brief_deeds="林雨桐同志牵头建立快速维权通道，办理专利侵权纠纷案件86件。",
    )
    second = individual(
        campaign, court, staff, seq=12, name="周明远", post="渝北区人民法院知识产权审判庭法官",
        deeds=numbered_deeds("审判庭", 1000), brief_deeds="周明远同志审结知识产权案件312件，无一发回改判。",
    )
    coll = collective(
        campaign, center, staff, organisation=center, leaders=("王局长",),
        deeds=numbered_deeds(COLLECTIVE_MARK, 1000), brief_deeds="该中心建成全区知识产权快速维权体系。",
    )
    Honour.objects.create(nomination=first, year=2022, level=Honour.Level.MUNICIPAL, title="重庆市知识产权工作先进个人",
                          conferred_by="重庆市知识产权局")
    for nom, rank in ((second, 1), (first, 2), (coll, 1)):
        Nomination.objects.filter(pk=nom.pk).update(status=Status.ACCEPTED, rank=rank)
        for dept in (Consultation.Department.PERSONNEL, Consultation.Department.DISCIPLINE):
            Consultation.objects.create(nomination=nom, department=dept, answer="no_objection",
                                        answered_on=dt.date(2026, 9, 15), recorded_by=screener,
                                        department_name="渝北区委组织部" if dept == "personnel" else "渝北区纪委监委")
    for nom in (first, second, coll):
        nom.refresh_from_db()
    return {"first": first, "second": second, "collective": coll, "quota": first.quota}


@pytest.fixture
def national(demo):
    return Campaign.objects.get(slug="national-2021")


@pytest.fixture
def national_nominee(national):
    """A nominee of the national campaign (archived preset: built directly, as the records stand)."""
    from orgs.models import Organisation

    province = Organisation.objects.get(name="重庆市", level="province")
    unit = Organisation.objects.filter(path__startswith=province.path, level="unit").first()
    quota = national.quotas.get(organisation=province)
    return Nomination.objects.create(
        campaign=national, category=Category.INDIVIDUAL, unit=unit, quota=quota, status=Status.FORWARDED, rank=1,
        name="何海燕", gender="female", ethnicity="土家族", birth_date=dt.date(1984, 3, 9), political_status="中共党员",
        education="硕士研究生", id_number="500112198403090021", phone="13912345678", post=f"{unit.name}科长",
        rank_grade="section", years_in_field=8, deeds=numbered_deeds("全国事迹"), brief_deeds="何海燕同志" + "长期坚守知识产权保护一线" * 20,
        photo=photo(413, 579),
    )
