"""The rules of DESIGN §4, one function each, each citing its seed and clause.

Absolute rules raise ``RuleError`` (the action is refused, with a Chinese message naming the rule
and the numbers). In-principle rules return ``Warning`` objects; the service lets the action go
ahead only when each warning has a written justification on record (``Justification``).

Rules over one row are called from ``Nomination.clean()`` (so forms, the admin and imports all
enforce them); rules spanning rows run inside the services, under a row lock on the quota.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from awards.models import Campaign, Category, Quota, Stage
from orgs.models import Kind, Organisation

from .models import (
    ACTIVE_STATUSES,
    QUOTA_STATUSES,
    Appraisal,
    Consultation,
    Nomination,
    Ownership,
    Status,
)


class RuleError(Exception):
    """An absolute rule refused the action. ``str(error)`` is the message for the user."""

    def __init__(self, message: str, *, code: str = "rule") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    source: str


def char_count(text: str) -> int:
    """字数: characters, not bytes, and not the spaces and line breaks between them."""
    return len(re.sub(r"\s+", "", text or ""))


ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def valid_id_number(value: str) -> bool:
    """GB 11643-1999: 18 characters with a check digit."""
    value = value.upper()
    if not ID_NUMBER.match(value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


# --- rules over one nomination (absolute) ----------------------------------------------------


def check_nomination_fields(nom: Nomination) -> None:
    """Everything about one nomination that can be refused without looking at others."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    campaign = nom.campaign
    # 重庆 五(四) 500字以内的简要事迹; 全国 五(一) 简要事迹（不超过300字）.
    limit = campaign.brief_deeds_max_chars
    if char_count(nom.brief_deeds) > limit:
        add("brief_deeds", f"简要事迹不超过{limit}字，现为{char_count(nom.brief_deeds)}字。")
    if nom.is_collective:
        if nom.organisation_id and not nom.organisation.is_under(nom.unit):
            add("organisation", "推荐集体须为本单位或本单位的内设机构、下属单位。")
        # 重庆 五(二) / 全国 一(一): 副厅局级以上的单位不参加评选.
        if campaign.exclude_deputy_bureau_and_above and nom.organisation_id and nom.organisation.is_deputy_bureau_or_above:
            add("organisation", f"{nom.organisation.name}为副厅局级或相当于副厅局级以上单位，不参加评选。")
    else:
        if nom.id_number and not valid_id_number(nom.id_number):
            add("id_number", "身份证号应为18位，且校验位正确。")
        if nom.phone and not re.fullmatch(r"[\d\-()（） +]{7,20}", nom.phone):
            add("phone", "联系电话格式不正确。")
        # 重庆 五(二) / 全国 一(二): 副厅局级或相当于副厅局级以上的个人不参加评选.
        if campaign.exclude_deputy_bureau_and_above and nom.is_deputy_bureau_or_above:
            add("rank_grade", f"职级为“{nom.get_rank_grade_display()}”，属副厅局级或相当于副厅局级以上，不参加评选。")
        # 重庆 五(二): 市管干部不参加评选.
        if campaign.exclude_city_managed_cadres and nom.is_city_managed_cadre:
            add("is_city_managed_cadre", "市管干部不参加评选。")
        # 重庆 二(二): 享受省部级及以上表彰奖励获得者待遇人员不参加评选.
        if campaign.exclude_model_worker_treatment and nom.has_model_worker_treatment:
            add("has_model_worker_treatment", "享受省部级及以上表彰奖励获得者待遇人员（含省部级及以上劳动模范和先进工作者）不参加评选。")
        # 全国 一(二) / 重庆 五(二): 以专业人员身份推荐须说明理由.
        if nom.as_professional and not nom.as_professional_reason.strip():
            add("as_professional_reason", "以专业技术人员身份推荐的，须说明其高级职称及在教学、科研等方面的突出贡献。")
    if errors:
        raise ValidationError(errors)


def check_complete(nom: Nomination) -> None:
    """Before a nomination goes to publicity or moves up, the form must be filled in."""
    missing = []
    if nom.is_collective:
        for field in ("organisation", "collective_nature", "head_name", "address"):
            if not getattr(nom, field if field != "organisation" else "organisation_id"):
                missing.append(Nomination._meta.get_field(field).verbose_name)
        if not nom.no_violation_commitment:
            # 重庆 一(一)4 / 全国 三(一)5.
            raise RuleError("先进集体须承诺近5年内无违纪违法行为及“一票否决”情形。", code="commitment")
    else:
        for field in ("name", "gender", "ethnicity", "birth_date", "political_status", "education",
                      "id_number", "phone", "post", "rank_grade", "years_in_field"):
            if getattr(nom, field) in (None, ""):
                missing.append(Nomination._meta.get_field(field).verbose_name)
        if not nom.photo:
            missing.append("2寸证件照")
    if not nom.deeds.strip():
        missing.append("事迹材料")
    if not nom.brief_deeds.strip():
        missing.append("简要事迹")
    if missing:
        raise RuleError(f"{nom.display_name}：请先填写{'、'.join(str(m) for m in missing)}。", code="incomplete")
    # 全国 五(二): 违反用工规定……的企业，该企业和企业负责人均不能参加评选.
    if nom.is_enterprise and not nom.enterprise_compliance_declared:
        raise RuleError(
            f"{nom.display_name}：企业须声明无违法用工、安全生产责任事故、拖欠工资、未缴社会保险费等情形，否则不能参加评选。",
            code="enterprise_compliance",
        )


# --- in-principle rules (warn; a justification lets the action go ahead) ---------------------


def warnings_for(nom: Nomination) -> list[Warning]:
    campaign = nom.campaign
    found: list[Warning] = []
    # DESIGN §4: 事迹材料 about 1000 characters; warn outside 800–1200 (重庆 五(四) 1000字左右).
    n = char_count(nom.deeds)
    target = campaign.deeds_target_chars
    if nom.deeds and not (target * 0.8 <= n <= target * 1.2):
        found.append(Warning("deeds_length", f"事迹材料要求{target}字左右，现为{n}字。", "重庆 五(四)"))
    if nom.is_collective:
        # 重庆 二: 推荐区县知识产权局作为先进集体的，原则上该局年度考核排名靠前.
        if nom.organisation_id and nom.organisation.kind == Kind.IP_ADMIN:
            found.append(Warning("own_ip_bureau", "推荐区县知识产权局作为先进集体的，原则上该局年度考核排名靠前，请说明考核排名。", "重庆 二"))
        return found
    # 重庆 一(二)2: 从事知识产权保护工作3年以上; 全国 一(二): 从事知识产权工作5年以上.
    if nom.years_in_field is not None and nom.years_in_field < campaign.min_years_in_field:
        found.append(Warning(
            "years_in_field",
            f"原则上须从事{campaign.field_of_work}{campaign.min_years_in_field}年以上，现为{nom.years_in_field}年。",
            "重庆 一(二)2 / 全国 一(二)",
        ))
    # 重庆 一(二)2: 近5年年度考核均为称职（合格）及以上且原则上至少有1次优秀，或具有一定荣誉基础.
    appraisals = list(nom.appraisals.all()) if nom.pk else []
    if nom.pk:
        bad = [a for a in appraisals if a.result in (Appraisal.Result.BASIC, Appraisal.Result.INCOMPETENT)]
        excellent = any(a.result == Appraisal.Result.EXCELLENT for a in appraisals)
        if len(appraisals) < 5:
            found.append(Warning("appraisals", f"请填写近5年年度考核结果（现有{len(appraisals)}年）。", "重庆 一(二)2"))
        elif bad:
            found.append(Warning("appraisals", f"近5年年度考核须均为称职（合格）及以上，{bad[0].year}年为{bad[0].get_result_display()}。", "重庆 一(二)2"))
        elif not excellent and not nom.honours.exists():
            found.append(Warning("appraisals", "近5年年度考核原则上至少有1次优秀等次，或具有一定荣誉基础。", "重庆 一(二)2"))
    # 重庆 二(二): 2019年以来已获得省部级及以上同类型表彰的，原则上不再参加.
    if campaign.prior_commendation_since_year and nom.prior_same_commendation.strip():
        found.append(Warning(
            "prior_commendation",
            f"{campaign.prior_commendation_since_year}年以来已获得省部级及以上同类型表彰（{nom.prior_same_commendation}），原则上不再参加评选。",
            "重庆 二(二)",
        ))
    # 重庆 三: 各单位原则上不推荐处级干部.
    if nom.is_division_level:
        found.append(Warning("division_level", "各单位原则上不推荐处级干部；确需推荐的，最多1名，并同时推荐1名处级以下干部职工作为备选。", "重庆 三"))
    # 重庆 二: 推荐区县知识产权局“一把手”作为先进个人的，原则上该局年度考核排名靠前.
    if nom.is_unit_head and nom.unit.kind == Kind.IP_ADMIN:
        found.append(Warning("own_ip_bureau_head", "推荐区县知识产权局“一把手”的，原则上该局年度考核排名靠前，请说明考核排名。", "重庆 二"))
    # 重庆 二: 推荐的先进集体和先进个人原则上不能集中在同一个处（科）室.
    if nom.division_id and nom.pk:
        # Through the unit's related manager (a unit has few nominations), so that a listing that
        # prefetches ``unit__nominations`` asks nothing more per row.
        same = [
            n for n in nom.unit.nominations.all()
            if n.campaign_id == campaign.pk and n.category == Category.COLLECTIVE
            and n.organisation_id == nom.division_id and n.status in ACTIVE_STATUSES
        ]
        if same:
            found.append(Warning("same_division", f"本单位已推荐{nom.division.name}为先进集体，先进集体和先进个人原则上不能集中在同一个处（科）室。", "重庆 二"))
    return found


def unjustified(nom: Nomination) -> list[Warning]:
    done = {j.rule for j in nom.justifications.all()} if nom.pk else set()
    return [w for w in warnings_for(nom) if w.code not in done]


def check_justified(nom: Nomination) -> None:
    missing = unjustified(nom)
    if missing:
        raise RuleError(
            f"{nom.display_name}：以下原则性要求须填写说明理由后方可继续：" + "；".join(w.message for w in missing),
            code="unjustified",
        )


# --- rules across rows (run inside services, under a lock on the quota) ----------------------


def check_leaders(nom: Nomination) -> None:
    """重庆 二、三: 同一单位内，已推荐参评先进集体的，不再推荐该集体领导（含班子成员）为先进个人."""
    same_unit = Nomination.objects.active().filter(campaign=nom.campaign, unit=nom.unit).exclude(pk=nom.pk)
    if nom.is_collective:
        leader_names = {leader.name.strip() for leader in nom.leaders.all()} if nom.pk else set()
        clash = same_unit.filter(category=Category.INDIVIDUAL, name__in=leader_names).first()
        if clash:
            raise RuleError(f"{nom.unit.name}已推荐{nom.display_name}为先进集体，不能再推荐其班子成员{clash.name}为先进个人。", code="leaders")
    else:
        clash = same_unit.filter(category=Category.COLLECTIVE, leaders__name=nom.name.strip()).first()
        if clash:
            raise RuleError(f"{nom.unit.name}已推荐{clash.display_name}为先进集体，不能再推荐其班子成员{nom.name}为先进个人。", code="leaders")


def check_unit_division_level(campaign: Campaign, unit: Organisation, nominations: list[Nomination]) -> None:
    """重庆 三: 处级干部最多推荐1名，同时再推荐1名处级以下干部职工作为备选."""
    individuals = [n for n in nominations if n.category == Category.INDIVIDUAL]
    division = [n for n in individuals if n.is_division_level]
    if len(division) > 1:
        raise RuleError(f"{unit.name}推荐处级干部{len(division)}名，每个单位最多推荐1名。", code="division_per_unit")
    if division and not any(n.is_alternate and not n.is_division_level for n in individuals):
        raise RuleError(f"{unit.name}推荐了处级干部{division[0].name}，须同时推荐1名处级以下干部职工作为备选。", code="division_alternate")


def quota_used(quota: Quota, category: str, *, exclude_pk: int | None = None) -> int:
    """Slots used: accepted or sent on, plus cancellations that forfeited their slot (不得递补或重报)."""
    field = "sub_quota" if quota.parent_id else "quota"
    qs = Nomination.objects.filter(**{field: quota}, category=category)
    qs = qs.filter(status__in=QUOTA_STATUSES) | qs.filter(status=Status.CANCELLED, forfeits_slot=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


def check_quota(nom: Nomination) -> None:
    """重庆 三 / 全国 二: the reporting organisation's quota, and the district IP administration's sub-quota."""
    label = Category(nom.category).label
    for quota in filter(None, (nom.quota, nom.sub_quota)):
        used = quota_used(quota, nom.category, exclude_pk=nom.pk)
        limit = quota.max_for(nom.category)
        if used + 1 > limit:
            what = "其中" if quota.parent_id else ""
            raise RuleError(
                f"{what}{quota.organisation.name}已推荐{label}{used}{'个' if nom.is_collective else '名'}，名额为{limit}{'个' if nom.is_collective else '名'}。",
                code="quota",
            )
    # 全国 二: 处级或相当于处级干部实行限额推荐.
    if nom.is_division_level and nom.quota.division_level_max is not None:
        used = Nomination.objects.filter(quota=nom.quota, category=Category.INDIVIDUAL, status__in=QUOTA_STATUSES).exclude(pk=nom.pk)
        used = sum(1 for n in used if n.is_division_level)
        if used + 1 > nom.quota.division_level_max:
            raise RuleError(
                f"{nom.quota.organisation.name}已推荐处级干部{used}名，处级干部推荐限额为{nom.quota.division_level_max}名。",
                code="division_allocation",
            )


def check_ranking(ranks: list[int | None], *, what: str) -> None:
    """DESIGN §3 推荐排序: 1..n, no gaps, no ties (重庆 三: 推荐对象需按照推荐意愿进行排序)."""
    if any(r is None for r in ranks):
        raise RuleError(f"{what}尚未全部排序。", code="ranking")
    if sorted(ranks) != list(range(1, len(ranks) + 1)):
        raise RuleError(f"{what}的排序须为 1 至 {len(ranks)}，不得重复或空缺（现为 {sorted(ranks)}）。", code="ranking")


def check_deadline(campaign: Campaign, stage_key: str, *, now: dt.datetime | None = None) -> None:
    """重庆 五(四) 逾期未报视为自动放弃; 全国 六(四) 过时不报视为放弃."""
    now = now or timezone.now()
    stage = Stage.objects.filter(campaign=campaign, key=stage_key).first()
    if stage and stage.closed_at and now >= stage.closed_at:
        raise RuleError(f"“{stage.label}”已经结束，不能再报送。", code="deadline")
    if stage and stage.deadline and now > stage.deadline:
        local = timezone.localtime(stage.deadline)
        raise RuleError(f"“{stage.label}”已于{local:%Y年%m月%d日 %H:%M}截止，逾期不能再报送。", code="deadline")
    if stage and stage.opens_at and now < stage.opens_at:
        local = timezone.localtime(stage.opens_at)
        raise RuleError(f"“{stage.label}”将于{local:%Y年%m月%d日 %H:%M}开始，尚不能报送。", code="not_open")


def required_consultations(nom: Nomination) -> list[str]:
    """重庆 四(一) 组织人事、纪检监察; 全国 五(二): enterprises also 生态环境、税务、市场监管、应急管理,
    SOE 审计, private 统战、工商联."""
    D = Consultation.Department
    required = [D.PERSONNEL, D.DISCIPLINE]
    if nom.is_enterprise:
        required += [D.ECOLOGY, D.TAX, D.MARKET, D.EMERGENCY]
        required += [D.AUDIT] if nom.ownership == Ownership.STATE_OWNED else [D.UNITED_FRONT, D.FEDERATION]
    return required


def check_consultations(nom: Nomination) -> None:
    got = {c.department: c for c in nom.consultations.all()}
    missing = [str(Consultation.Department(d).label) for d in required_consultations(nom) if d not in got]
    if missing:
        raise RuleError(f"{nom.display_name}：尚未记录{'、'.join(missing)}部门的意见。", code="consultations")
    against = [c for c in got.values() if c.answer == Consultation.Answer.OBJECTION]
    if against:
        raise RuleError(f"{nom.display_name}：{against[0].get_department_display()}部门意见为“有异议”，不能报送。", code="consultation_objection")
