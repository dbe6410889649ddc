"""The real organisation names the presets and the demo stand on (shared/data/orgs.json).

Idempotent: running it again updates in place and creates nothing twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import Kind, Level, Organisation
from .services import ensure_organisation

DATA = Path(__file__).parent / "data" / "orgs.json"
REGION_TYPES = {"district": "区", "county": "县", "autonomous_county": "自治县"}


@dataclass
class ReferenceTree:
    nation: Organisation
    cnipa: Organisation
    cnipa_office: Organisation
    provinces: dict[str, Organisation] = field(default_factory=dict)
    chongqing: Organisation | None = None
    cq_host: Organisation | None = None
    cq_office: Organisation | None = None
    cq_districts: dict[str, Organisation] = field(default_factory=dict)
    cq_ip_admins: dict[str, Organisation] = field(default_factory=dict)
    cq_departments: dict[str, Organisation] = field(default_factory=dict)
    tianjin: Organisation | None = None
    tj_host: Organisation | None = None
    tj_office: Organisation | None = None
    tj_districts: dict[str, Organisation] = field(default_factory=dict)
    tj_bodies: dict[str, Organisation] = field(default_factory=dict)


def _org(name, parent, level, kind=Kind.OTHER, **fields) -> Organisation:
    return ensure_organisation(name=name, parent=parent, level=level, kind=kind, **fields)


@transaction.atomic
def load_reference_tree() -> ReferenceTree:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    nation = _org("全国知识产权系统", None, Level.NATION, Kind.OTHER, short_name="全国")
    cnipa = _org("国家知识产权局", nation, Level.DEPARTMENT, Kind.HOST_UNIT, is_deputy_bureau_or_above=True, admin_level="正部级")
    cnipa_office = _org("人事司", cnipa, Level.DIVISION, Kind.HOST_UNIT, admin_level="正司级", is_deputy_bureau_or_above=True)
    tree = ReferenceTree(nation=nation, cnipa=cnipa, cnipa_office=cnipa_office)

    for i, name in enumerate(data["national"]["provinces"] + data["national"]["also_reporting"]):
        kind = Kind.PUBLIC_INSTITUTION if name == "国家知识产权局所属单位" else Kind.GOVERNMENT
        province = _org(name, nation, Level.PROVINCE, kind, sort_order=i, is_deputy_bureau_or_above=True)
        tree.provinces[name] = province
        if kind == Kind.GOVERNMENT:
            _org(f"{name}知识产权局" if name != "新疆生产建设兵团" else "新疆生产建设兵团知识产权局", province,
                 Level.DEPARTMENT, Kind.IP_ADMIN, is_deputy_bureau_or_above=True)

    # Chongqing: 38 districts and counties, the 3 special zones, municipal departments, the host unit.
    cq = data["chongqing"]
    tree.chongqing = chongqing = tree.provinces["重庆市"]
    host = _org(cq["host_unit"]["name"], chongqing, Level.DEPARTMENT, Kind.HOST_UNIT,
                is_deputy_bureau_or_above=True, admin_level="正厅局级", address="重庆市江北区五简路9号")
    tree.cq_host = host
    for div in cq["host_unit"]["divisions_examples"]:
        d = _org(div, host, Level.DIVISION, Kind.HOST_UNIT, admin_level="处级")
        if div == "知识产权保护处":
            tree.cq_office = d
    for sub in cq["host_unit"]["subordinate_examples"]:
        _org(sub, host, Level.UNIT, Kind.PUBLIC_INSTITUTION, admin_level="处级")
    districts = [(d["name"], REGION_TYPES[d["kind"]]) for d in cq["districts_and_counties"]]
    districts += [(z, "经开区/新区") for z in cq["special_zones"]]
    for i, (name, region_type) in enumerate(districts):
        district = _org(name, chongqing, Level.DISTRICT, Kind.GOVERNMENT, region_type=region_type, sort_order=i)
        tree.cq_districts[name] = district
        tree.cq_ip_admins[name] = _org(f"{name}知识产权局", district, Level.UNIT, Kind.IP_ADMIN, admin_level="处级")
    for i, name in enumerate(cq["municipal_departments_examples"]):
        tree.cq_departments[name] = _org(
            name, chongqing, Level.DEPARTMENT, Kind.MUNICIPAL_ORGAN, is_deputy_bureau_or_above=True,
            admin_level="正厅局级", sort_order=100 + i,
        )

    # Tianjin: 16 districts, the host unit and the bodies the summary names.
    tj = data["tianjin"]
    tree.tianjin = tianjin = tree.provinces["天津市"]
    tj_host = _org(tj["host_unit"], tianjin, Level.DEPARTMENT, Kind.HOST_UNIT, is_deputy_bureau_or_above=True, admin_level="正厅局级")
    tree.tj_host = tj_host
    tree.tj_office = _org("人事处", tj_host, Level.DIVISION, Kind.HOST_UNIT, admin_level="处级")
    for i, name in enumerate(tj["districts"]):
        tree.tj_districts[name] = _org(name, tianjin, Level.DISTRICT, Kind.GOVERNMENT, region_type="区", sort_order=i)
    for name in tj["other_bodies_named_in_seed"]:
        if name.startswith("滨海新区"):
            parent, level, kind = tree.tj_districts["滨海新区"], Level.UNIT, Kind.PUBLIC_INSTITUTION
        elif "执法总队" in name:
            parent, level, kind = tianjin, Level.DEPARTMENT, Kind.MUNICIPAL_ORGAN
        else:
            parent, level, kind = tj_host, Level.UNIT, Kind.PUBLIC_INSTITUTION
        tree.tj_bodies[name] = _org(name, parent, level, kind)
    return tree
