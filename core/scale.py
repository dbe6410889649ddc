"""A campaign at full size, for benchmarks and query-count tests (issue 8).

``generate(size, seed)`` builds, deterministically from the seed:

- national: under each of the 31 provinces, the Corps and CNIPA's bodies (orgs.json), 30 districts or
  counties and 10 departments, each with 20 units (about 27,000 organisations), and 10,000
  nominations; the campaign runs the national-2021 rules rooted at the nation;
- chongqing: the same campaign and shape with Chongqing alone reporting (about 840 organisations,
  300 nominations), for quick runs; ``provinces`` (four provinces, 1,200 nominations) sits between.

Both run the same rules, so a page's SQL queries must be the same at every size.

In both, every district or department holds a quota (3 collective, 3 individual), so the screening
queues and the office's queues are at the size the pages must cope with. Nominations are spread over
every stage (drafts, unit publicity, submitted, returned, accepted, forwarded to the office with their
reviews, cancelled, withdrawn), with their events, history rows, consultations, votes, notices
(unit, district and the final one) and objections. Rows go in with ``bulk_create``; the materialised
organisation path is computed here, from ids assigned here. Benchmark logins get ``BENCH_PASSWORD``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from guardian.models import UserObjectPermission
from simple_history.utils import bulk_create_with_history

from awards.models import Campaign, Category, Quota, Stage, StageKey
from awards.presets import apply_preset
from nominations.models import Consultation, Event, Nomination, Status
from orgs.models import Kind, Level, Organisation, Role, RoleAssignment, User
from orgs.reference import DATA, load_reference_tree
from publicity.models import Notice, NoticeEntry, Objection, Scope
from reviews.models import Outcome, Review, Vote

BENCH_PASSWORD = "Bench@2026"
BATCH = 2000
REASON = "generate_scale"


@dataclass(frozen=True)
class Size:
    key: str
    preset: str
    districts: int  # per body
    departments: int  # per body
    units: int  # per district or department
    nominations: int
    unit_users: int


SIZES = {
    "national": Size("national", "national-2021", 30, 10, 20, 10_000, 200),
    "chongqing": Size("chongqing", "national-2021", 30, 10, 20, 300, 200),
    # A middle size for the query-count tests: four provinces.
    "provinces": Size("provinces", "national-2021", 30, 10, 20, 1_200, 200),
}


def slug_for(size: str) -> str:
    return f"scale-{size}"


# --- names ---------------------------------------------------------------------------------------------

PLACE = "东西南北中新安平宁阳城山江河湖海林丰华兴和泰康永清明德福长云龙凤金石桥源川乐昌盛通"
DEPARTMENTS = ["公安厅", "市场监督管理局", "科学技术厅", "商务厅", "农业农村厅", "文化和旅游厅", "司法厅",
               "高级人民法院", "人民检察院", "教育厅", "工业和信息化厅", "林业和草原局"]
AGENCIES = [("知识产权局", Kind.IP_ADMIN), ("知识产权保护中心", Kind.PUBLIC_INSTITUTION), ("人民法院", Kind.OTHER),
            ("人民检察院", Kind.OTHER), ("公安局", Kind.OTHER), ("市场监督管理局", Kind.OTHER),
            ("科学技术局", Kind.OTHER), ("商务委员会", Kind.OTHER)]
INDUSTRIES = ["智能装备", "生物医药", "新材料", "电子信息", "汽车零部件", "软件", "精密制造", "新能源", "食品", "化工"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞红鹏辉建国志文斌海波宇浩凯晨欣怡佳琪俊峰"
POSTS = ["科员", "副科长", "科长", "主任科员", "工程师", "高级工程师", "研究员", "审查员", "专利代理师", "法官", "检察官"]


def _short(body: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if body.endswith(suffix):
            return body[: -len(suffix)]
    return body.replace("国家知识产权局所属单位", "局属").replace("新疆生产建设兵团", "兵团")


def _unique(rng: random.Random, taken: set[str], make) -> str:
    while True:
        name = make(rng)
        if name not in taken:
            taken.add(name)
            return name


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass
class DistrictPlan:
    name: str
    level: str
    kind: str
    units: list[tuple[str, str]]  # (name, kind)


def plan_tree(size: Size, bodies: list[str], seed: int, existing: dict[str, set[str]] | None = None) -> dict[str, list[DistrictPlan]]:
    """The names, from the seed: {body name: its districts and departments with their units}.

    ``existing`` names already under a body (another size generated into the same database) are avoided.
    """
    rng = random.Random(f"{seed}:tree")
    out = {}
    for body in bodies:
        short = _short(body)
        taken: set[str] = set((existing or {}).get(body, ()))
        plans = []
        for _ in range(size.districts):
            name = _unique(rng, taken, lambda r, s=short: s + r.choice(PLACE) + r.choice(PLACE) + r.choice("区县"))
            plans.append(DistrictPlan(name, Level.DISTRICT, Kind.GOVERNMENT, []))
        for i in range(size.departments):
            dept = DEPARTMENTS[i % len(DEPARTMENTS)]
            name = _unique(rng, taken, lambda r, d=dept, s=short, t=taken: f"{s}{d}" if f"{s}{d}" not in t else f"{s}{r.choice(PLACE)}{d}")
            plans.append(DistrictPlan(name, Level.DEPARTMENT, Kind.MUNICIPAL_ORGAN, []))
        for plan in plans:
            unit_names: set[str] = set()
            base = plan.name[len(short):].rstrip("区县") if plan.level == Level.DISTRICT else plan.name
            for suffix, kind in AGENCIES[: min(len(AGENCIES), size.units // 2)]:
                unit_names.add(f"{base}{suffix}")
                plan.units.append((f"{base}{suffix}", kind))
            while len(plan.units) < size.units:
                name = _unique(rng, unit_names, lambda r, s=short: f"{s}{r.choice(PLACE)}{r.choice(PLACE)}{r.choice(INDUSTRIES)}有限公司")
                plan.units.append((name, rng.choice((Kind.PRIVATE, Kind.STATE_OWNED))))
        out[body] = plans
    return out


# Per district or department, its nominations take consecutive statuses of this cycle (from an offset
# that differs per holder). Any 12 consecutive hold at most three per category that take a slot
# (accepted or forwarded), within the 3 + 3 quota.
CYCLE = [
    (Status.FORWARDED, Category.COLLECTIVE), (Status.FORWARDED, Category.INDIVIDUAL),
    (Status.FORWARDED, Category.COLLECTIVE), (Status.FORWARDED, Category.INDIVIDUAL),
    (Status.ACCEPTED, Category.COLLECTIVE), (Status.SUBMITTED, Category.INDIVIDUAL),
    (Status.UNIT_PUBLICITY, Category.INDIVIDUAL), (Status.DRAFT, Category.COLLECTIVE),
    (Status.RETURNED, Category.INDIVIDUAL), (Status.UNIT_READY, Category.COLLECTIVE),
    (Status.CANCELLED, Category.INDIVIDUAL), (Status.WITHDRAWN, Category.COLLECTIVE),
]
PATHS = {
    Status.DRAFT: [Status.DRAFT],
    Status.UNIT_PUBLICITY: [Status.DRAFT, Status.UNIT_PUBLICITY],
    Status.UNIT_READY: [Status.DRAFT, Status.UNIT_PUBLICITY, Status.UNIT_READY],
    Status.SUBMITTED: [Status.DRAFT, Status.UNIT_PUBLICITY, Status.UNIT_READY, Status.SUBMITTED],
    Status.RETURNED: [Status.DRAFT, Status.UNIT_PUBLICITY, Status.UNIT_READY, Status.SUBMITTED, Status.RETURNED],
    Status.ACCEPTED: [Status.DRAFT, Status.UNIT_PUBLICITY, Status.UNIT_READY, Status.SUBMITTED, Status.ACCEPTED],
    Status.FORWARDED: [Status.DRAFT, Status.UNIT_PUBLICITY, Status.UNIT_READY, Status.SUBMITTED, Status.ACCEPTED, Status.FORWARDED],
    Status.CANCELLED: [Status.DRAFT, Status.CANCELLED],
    Status.WITHDRAWN: [Status.DRAFT, Status.WITHDRAWN],
}


def _spread(total: int, n: int) -> list[int]:
    each, extra = divmod(total, n)
    return [each + (1 if i < extra else 0) for i in range(n)]


def _reset_sequences(*models) -> None:
    sql = connection.ops.sequence_reset_sql(no_style(), list(models))
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


def _bulk(model, objs, *, history=True):
    if history:
        return bulk_create_with_history(objs, model, batch_size=BATCH, default_change_reason=REASON)
    return model.objects.bulk_create(objs, batch_size=BATCH)


@dataclass
class Result:
    campaign: Campaign
    organisations: int
    nominations: int
    reviews: int
    notices: int
    users: dict[str, list[str]]


@transaction.atomic
def generate(size_key: str, seed: int = 1, *, log=lambda msg: None) -> Result:
    size = SIZES[size_key]
    slug = slug_for(size_key)
    if Campaign.objects.filter(slug=slug).exists():
        raise ValueError(f"“{slug}”已生成：请在空数据库上重新生成。")
    rng = random.Random(f"{seed}:data")
    tree = load_reference_tree()
    data = json.loads(DATA.read_text(encoding="utf-8"))
    if size_key == "national":
        body_names = data["national"]["provinces"] + data["national"]["also_reporting"]
        bodies = [tree.provinces[n] for n in body_names]
    elif size_key == "provinces":
        body_names = data["national"]["provinces"][:4]
        bodies = [tree.provinces[n] for n in body_names]
    else:
        body_names, bodies = ["重庆市"], [tree.chongqing]
    existing = {name: set(Organisation.objects.filter(parent=body).values_list("name", flat=True))
                for name, body in zip(body_names, bodies, strict=True)}
    plans = plan_tree(size, body_names, seed, existing)

    # --- organisations, ids and paths assigned here --------------------------------------------------
    next_id = (Organisation.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    orgs: list[Organisation] = []
    holders: list[tuple[Organisation, list[Organisation]]] = []
    for body, name in zip(bodies, body_names, strict=True):
        for order, plan in enumerate(plans[name]):
            path = f"{body.path}{next_id}/"
            district = Organisation(id=next_id, name=plan.name, parent_id=body.pk, level=plan.level, kind=plan.kind,
                                    region_type="区" if plan.level == Level.DISTRICT else "", sort_order=200 + order,
                                    path=path, depth=path.count("/") - 1)
            next_id += 1
            orgs.append(district)
            units = []
            for u_order, (u_name, kind) in enumerate(plan.units):
                u_path = f"{path}{next_id}/"
                units.append(Organisation(id=next_id, name=u_name, parent_id=district.pk, level=Level.UNIT, kind=kind,
                                          sort_order=u_order, path=u_path, depth=u_path.count("/") - 1))
                next_id += 1
            orgs.extend(units)
            holders.append((district, units))
    _bulk(Organisation, orgs)
    _reset_sequences(Organisation)
    log(f"机构 {len(orgs)}")

    # --- the campaign: a live run of the preset, every district or department a quota holder ---------
    today = timezone.localdate()
    campaign = apply_preset(size.preset, tree=tree, slug=slug, start=today - dt.timedelta(days=10),
                            title=f"规模测试（{size_key}，种子{seed}）", status=Campaign.Status.OPEN)
    Quota.objects.filter(campaign=campaign, parent__isnull=False).delete()
    Quota.objects.filter(campaign=campaign).delete()
    quotas = _bulk(Quota, [Quota(campaign=campaign, organisation=d, collective_max=3, individual_max=3,
                                 division_level_max=1, note="规模测试名额") for d, _units in holders])
    quotas = list(Quota.objects.filter(campaign=campaign).order_by("id"))
    now = timezone.now()
    Stage.objects.filter(campaign=campaign, key__in=(StageKey.SUBMISSION, StageKey.INITIAL_REVIEW)).update(
        started_at=now - dt.timedelta(days=5), closed_at=now - dt.timedelta(days=1))
    Stage.objects.filter(campaign=campaign, key=StageKey.COMPREHENSIVE_REVIEW).update(started_at=now - dt.timedelta(days=1))

    # --- users -------------------------------------------------------------------------------------------
    password = make_password(BENCH_PASSWORD)
    prefix = f"bench_{size_key[:2]}"
    users = [User(username=f"{prefix}_office", full_name="规模测试办公室", organisation=campaign.office, password=password),
             User(username=f"{prefix}_member", full_name="规模测试成员", organisation=campaign.host_unit, password=password),
             User(username=f"{prefix}_screener", full_name="规模测试审核员", organisation=holders[0][0], password=password)]
    step = max(1, len(holders) // size.unit_users)
    unit_targets = [holders[(i * step) % len(holders)][1][i // len(holders) % size.units] for i in range(size.unit_users)]
    users += [User(username=f"{prefix}_unit_{i:03d}", full_name=_person(rng), organisation=u, password=password)
              for i, u in enumerate(unit_targets)]
    _bulk(User, users)
    users = list(User.objects.filter(username__startswith=f"{prefix}_").order_by("username"))
    by_name = {u.username: u for u in users}
    grants = [(by_name[f"{prefix}_office"], Role.OFFICE, campaign.root),
              (by_name[f"{prefix}_member"], Role.GROUP_MEMBER, campaign.root),
              (by_name[f"{prefix}_screener"], Role.SCREENER, holders[0][0])]
    grants += [(by_name[f"{prefix}_unit_{i:03d}"], Role.UNIT_STAFF, u) for i, u in enumerate(unit_targets)]
    _bulk(RoleAssignment, [RoleAssignment(user=u, role=r, scope=s) for u, r, s in grants])
    perm = Permission.objects.get(codename="act_for_organisation", content_type__app_label="orgs")
    ct = ContentType.objects.get_for_model(Organisation)
    UserObjectPermission.objects.bulk_create(
        [UserObjectPermission(user=u, permission=perm, content_type=ct, object_pk=str(s.pk)) for u, _r, s in grants],
        ignore_conflicts=True)
    office = by_name[f"{prefix}_office"]

    # --- nominations over every stage --------------------------------------------------------------------
    noms: list[Nomination] = []
    unit_rank: dict[int, int] = {}
    for h, ((_district, units), quota, count) in enumerate(zip(holders, quotas, _spread(size.nominations, len(holders)), strict=True)):
        ranks = {Category.COLLECTIVE: 0, Category.INDIVIDUAL: 0}
        offset = h * 5 % len(CYCLE)  # each holder starts elsewhere in the cycle: every stage occurs
        for j in range(count):
            status, category = CYCLE[(j + offset) % len(CYCLE)] if j < len(CYCLE) else (Status.DRAFT, CYCLE[j % 2][1])
            # The first unit of each holder (where the benchmark's unit users sit) has two or more.
            unit = units[0] if j < 2 else units[rng.randrange(len(units))]
            unit_rank[unit.pk] = unit_rank.get(unit.pk, 0) + 1
            rank = None
            if status in (Status.ACCEPTED, Status.FORWARDED):
                ranks[category] += 1
                rank = ranks[category]
            collective = category == Category.COLLECTIVE
            person = _person(rng)
            noms.append(Nomination(
                campaign=campaign, category=category, unit=unit, quota=quota, status=status, rank=rank,
                unit_rank=unit_rank[unit.pk] if status not in (Status.CANCELLED, Status.WITHDRAWN) else None,
                organisation=unit if collective else None,
                collective_nature="public_institution" if collective else "",
                head_name=_person(rng) if collective else "", staff_count=rng.randint(8, 300) if collective else None,
                name="" if collective else person, gender="" if collective else rng.choice(("male", "female")),
                ethnicity="" if collective else "汉族",
                birth_date=None if collective else dt.date(rng.randint(1965, 1992), rng.randint(1, 12), 1),
                political_status="" if collective else "中共党员", education="" if collective else "大学本科",
                work_start_date=None if collective else dt.date(rng.randint(1988, 2015), 7, 1),
                post="" if collective else f"{unit.name}{rng.choice(POSTS)}",
                rank_grade="" if collective else rng.choice(("section_staff", "section", "clerk", "section_deputy", "division")),
                years_in_field=None if collective else rng.randint(5, 25),
                no_violation_commitment=collective,
                brief_deeds=f"{unit.name if collective else person}长期从事知识产权保护工作，成绩突出。" * 3,
                deeds="坚持严格保护，推动知识产权工作高质量发展。" * 20,
                cancel_reason="单位公示期间异议经核实成立" if status == Status.CANCELLED else "",
                created_by=office,
            ))
    noms = _bulk(Nomination, noms)
    noms = list(Nomination.objects.filter(campaign=campaign).select_related("unit").order_by("id"))
    log(f"推荐对象 {len(noms)}")
    Event.objects.bulk_create([
        Event(nomination=n, from_status=path[i - 1] if i else "", to_status=step_, actor=office, reason="规模测试")
        for n in noms for path in [PATHS[n.status]] for i, step_ in enumerate(path)
    ], batch_size=BATCH)
    _bulk(Consultation, [
        Consultation(nomination=n, department=dept, answer="no_objection", answered_on=today - dt.timedelta(days=3), recorded_by=office)
        for n in noms if n.status in (Status.ACCEPTED, Status.FORWARDED) for dept in ("personnel", "discipline")
    ])

    # --- reviews of what reached the office ----------------------------------------------------------------
    forwarded = [n for n in noms if n.status == Status.FORWARDED]
    reviews = []
    proposed_rank = 0
    for i, n in enumerate(forwarded):
        initial = (Outcome.PASSED, Outcome.PASSED, Outcome.PENDING, Outcome.PASSED, Outcome.REJECTED)[i % 5]
        proposed = initial == Outcome.PASSED and i % 3 == 0
        proposed_rank += proposed
        reviews.append(Review(
            campaign=campaign, nomination=n, quota_id=n.quota_id, category=n.category, submitter_rank=n.rank,
            initial=initial, initial_by=office if initial != Outcome.PENDING else None,
            initial_at=now if initial != Outcome.PENDING else None,
            initial_reason="材料不齐全" if initial == Outcome.REJECTED else "",
            police_answer="no_objection" if i % 2 else "", approve_votes=2 if proposed else 1, eligible_voters=3,
            proposed=proposed, proposed_rank=proposed_rank if proposed else None,
        ))
    reviews = _bulk(Review, reviews)
    reviews = list(Review.objects.filter(campaign=campaign).order_by("id"))
    member = by_name[f"{prefix}_member"]
    _bulk(Vote, [Vote(review=r, member=member, choice="approve") for r in reviews if r.initial == Outcome.PASSED])
    log(f"评审记录 {len(reviews)}")

    # --- notices: per unit in publicity, per holder with forwarded nominees, and the final one ------------
    notices, entries_for = [], []
    window = dict(working_days=5, opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=6),
                  how_to_object="以书面形式实名提出，写明事实。", contact="联系电话：010-00000000", opened_by=office)
    by_unit: dict[int, list[Nomination]] = {}
    for n in noms:
        if n.status == Status.UNIT_PUBLICITY:
            by_unit.setdefault(n.unit_id, []).append(n)
    for group in by_unit.values():
        unit = group[0].unit
        notices.append(Notice(campaign=campaign, scope=Scope.UNIT, issuer=unit, title=f"{unit.name}推荐对象公示",
                              intro="经民主推荐、集体研究，现将推荐对象予以公示。", status=Notice.Status.OPEN, **window))
        entries_for.append(group)
    by_holder: dict[int, list[Nomination]] = {}
    for n in forwarded:
        by_holder.setdefault(n.quota_id, []).append(n)
    holder_org = {q.pk: d for (d, _u), q in zip(holders, quotas, strict=True)}
    closed = {**window, "opens_at": now - dt.timedelta(days=20), "closes_at": now - dt.timedelta(days=13)}
    for quota_id, group in by_holder.items():
        org = holder_org[quota_id]
        notices.append(Notice(campaign=campaign, scope=Scope.DISTRICT, issuer=org, title=f"{org.name}推荐对象公示",
                              intro="现将本级推荐对象予以公示。", status=Notice.Status.CLOSED, closed_at=closed["closes_at"], **closed))
        entries_for.append(group)
    award_count = sum(c.award_count for c in campaign.categories.all())
    final = [r.nomination for r in reviews if r.proposed][:award_count]
    notices.append(Notice(campaign=campaign, scope=Scope.FINAL, issuer=campaign.host_unit or campaign.office,
                          title=f"{campaign.title}拟表彰对象公示", intro="现将拟表彰对象予以公示。",
                          status=Notice.Status.OPEN, **window))
    entries_for.append(final)
    notices = _bulk(Notice, notices)
    notices = list(Notice.objects.filter(campaign=campaign).order_by("id"))
    entries = []
    for notice, group in zip(notices, entries_for, strict=True):
        for pos, n in enumerate(group, start=1):
            entries.append(NoticeEntry(
                notice=notice, nomination=n, position=pos, category=n.category,
                name=n.unit.name if n.is_collective else n.name,
                unit_and_post="" if n.is_collective else n.post, brief_deeds=n.brief_deeds))
    NoticeEntry.objects.bulk_create(entries, batch_size=BATCH)
    final_notice = notices[-1]
    final_entries = list(NoticeEntry.objects.filter(notice=final_notice).order_by("position"))
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    _bulk(Objection, [
        Objection(notice=final_notice, entry=e, receipt_code="".join(rng.choice(alphabet) for _ in range(12)),
                  objector_name=_person(rng), objector_contact="13800000000", facts="反映该推荐对象材料与事实不符，请核实。",
                  status=(Objection.Status.RECEIVED, Objection.Status.NOT_UPHELD)[i % 2])
        for i, e in enumerate(final_entries[::10])
    ])
    log(f"公示 {len(notices)}")
    return Result(campaign=campaign, organisations=len(orgs), nominations=len(noms), reviews=len(reviews),
                  notices=len(notices), users={
                      "office": [f"{prefix}_office"], "member": [f"{prefix}_member"], "screener": [f"{prefix}_screener"],
                      "unit": [f"{prefix}_unit_{i:03d}" for i in range(size.unit_users)]})
