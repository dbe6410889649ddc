"""The three real campaigns of DESIGN §2, loadable as presets.

Each preset states where its numbers come from. Dates that the seed gives are marked
``依据通知``; the others are estimates an administrator adjusts in the admin.
``apply_preset(key, start=...)`` shifts the whole schedule so the same rules can run again
(the demo runs the Chongqing rules as a live campaign).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from orgs.reference import ReferenceTree, load_reference_tree

from .models import AwardCategory, Campaign, CampaignForm, CapRule, Category, FormKey, Quota, Stage, StageKey

SHANGHAI = ZoneInfo("Asia/Shanghai")
FROM_SEED = "依据通知"
ESTIMATE = "预估，以通知为准，可在后台调整"


@dataclass(frozen=True)
class StagePlan:
    key: str
    label: str
    opens: int | None  # days after the preset's base date
    deadline: int | None
    from_seed: bool = False


def _at(base: dt.date, offset: int | None, *, end: bool) -> dt.datetime | None:
    if offset is None:
        return None
    day = base + dt.timedelta(days=offset)
    time = dt.time(23, 59, 59) if end else dt.time(8, 30)
    return dt.datetime.combine(day, time, tzinfo=SHANGHAI)


# --- 重庆 (chongqing-2023-award-rules.txt) ----------------------------------------------------
CQ_BASE = dt.date(2023, 9, 1)
CQ_STAGES = [
    StagePlan(StageKey.UNIT, "单位民主推荐、集体研究与公示", 0, 21),
    # 五(四): 推荐材料请于2023年9月30日前……上传; 逾期未报视为自动放弃.
    StagePlan(StageKey.SUBMISSION, "区县/市级部门审核推荐并上传初审材料", 0, 29, from_seed=True),
    StagePlan(StageKey.INITIAL_REVIEW, "领导小组办公室初审", 30, 45),
    StagePlan(StageKey.COMPREHENSIVE_REVIEW, "领导小组综合评审", 46, 55),
    StagePlan(StageKey.FEEDBACK_PUBLICITY, "反馈名单，区县和市级部门公示", 56, 70),
    StagePlan(StageKey.FORMAL_MATERIALS, "报送正式推荐材料（附件3、附件4，一式3份）", 56, 75),
    StagePlan(StageKey.RE_REVIEW, "复审及市知识产权局党组会议研究", 76, 85),
    StagePlan(StageKey.FINAL_PUBLICITY, "全市范围公示", 86, 95),
    StagePlan(StageKey.DECISION, "联合行文表彰", 96, 110),
]

# --- 全国 (national-2021-award-notice.txt) ---------------------------------------------------
NAT_BASE = dt.date(2021, 8, 9)  # 落款 2021年8月9日
NAT_STAGES = [
    # 四: 于2021年8月13日前将《推荐工作联系表》（附件6）报送领导小组办公室.
    StagePlan(StageKey.CONTACT_FORM, "报送推荐工作联系表（附件6）", 0, 4, from_seed=True),
    StagePlan(StageKey.UNIT, "单位民主推荐、集体研究与公示", 0, 16),
    # 五(一): 于2021年8月31日前将初审材料……报领导小组办公室.
    StagePlan(StageKey.SUBMISSION, "省级评选机构审核并报送初审材料", 0, 22, from_seed=True),
    StagePlan(StageKey.INITIAL_REVIEW, "领导小组办公室初审", 23, 30),
    StagePlan(StageKey.FEEDBACK_PUBLICITY, "征求意见、省级范围公示", 31, 45),
    # 五(二): 公示无异议后，于2021年9月30日前将复审材料……报领导小组办公室.
    StagePlan(StageKey.FORMAL_MATERIALS, "报送复审材料（附件2—5，一式5份）", 31, 52, from_seed=True),
    StagePlan(StageKey.RE_REVIEW, "领导小组办公室复审", 53, 60),
    StagePlan(StageKey.FINAL_PUBLICITY, "全国范围公示", 61, 70),
    StagePlan(StageKey.DECISION, "联合发布表彰决定", 71, 80),
]

# --- 天津 (tianjin-2022-summary-2023-plan.txt: 14 个先进集体、20 名先进工作者) -----------------
TJ_BASE = dt.date(2022, 9, 1)
TJ_STAGES = [
    StagePlan(StageKey.UNIT, "单位民主推荐、集体研究与公示", 0, 21),
    StagePlan(StageKey.SUBMISSION, "各区、各单位审核推荐并报送", 0, 29),
    StagePlan(StageKey.INITIAL_REVIEW, "初审", 30, 40),
    StagePlan(StageKey.COMPREHENSIVE_REVIEW, "综合评审", 41, 50),
    StagePlan(StageKey.FINAL_PUBLICITY, "全市范围公示", 51, 60),
    StagePlan(StageKey.DECISION, "表彰决定", 61, 70),
]


def _stages(campaign: Campaign, plans: list[StagePlan], base: dt.date) -> None:
    keep = []
    for order, plan in enumerate(plans, start=1):
        Stage.objects.update_or_create(
            campaign=campaign,
            key=plan.key,
            defaults={
                "label": plan.label,
                "order": order,
                "opens_at": _at(base, plan.opens, end=False),
                "deadline": _at(base, plan.deadline, end=True),
                "note": FROM_SEED if plan.from_seed else ESTIMATE,
            },
        )
        keep.append(plan.key)
    campaign.stages.exclude(key__in=keep).delete()


def _categories(campaign: Campaign, collective: tuple[str, int], individual: tuple[str, int]) -> None:
    for kind, (title, count) in ((Category.COLLECTIVE, collective), (Category.INDIVIDUAL, individual)):
        AwardCategory.objects.update_or_create(campaign=campaign, kind=kind, defaults={"title": title, "award_count": count})


def _cap(campaign, label, counts, base, percent, mode, source) -> None:
    CapRule.objects.update_or_create(
        campaign=campaign, counts=counts, base=base,
        defaults={"label": label, "percent": Decimal(percent), "mode": mode, "source": source},
    )


def _forms(campaign: Campaign, rows: list[tuple[str, str, int]]) -> None:
    for key, number, copies in rows:
        CampaignForm.objects.update_or_create(
            campaign=campaign, key=key, defaults={"attachment_number": number, "copies": copies}
        )


def _quota(campaign, org, collective, individual, *, parent=None, division_level_max=None, note="") -> Quota:
    quota, _ = Quota.objects.update_or_create(
        campaign=campaign, organisation=org,
        defaults={
            "parent": parent, "collective_max": collective, "individual_max": individual,
            "division_level_max": division_level_max, "note": note,
        },
    )
    return quota


def _campaign(slug: str, defaults: dict) -> Campaign:
    campaign, _ = Campaign.objects.update_or_create(slug=slug, defaults=defaults)
    campaign.full_clean(exclude=["root", "office", "host_unit"])
    return campaign


def chongqing_2023(tree: ReferenceTree, *, slug: str, title: str, year: int, base: dt.date, status: str) -> Campaign:
    campaign = _campaign(slug, {
        "title": title, "year": year, "preset": "chongqing-2023",
        "issuing_bodies": "重庆市人力资源和社会保障局 重庆市知识产权局",
        "status": status, "root": tree.chongqing, "office": tree.cq_office, "host_unit": tree.cq_host,
        "chain_levels": ["推荐单位", "区县知识产权局/市级部门", "市评选表彰工作领导小组办公室"],
        "formal_copies": 3,  # 五(四): 附件3、附件4 一式3份
        "publicity_working_days": 5,  # 四(一)(三)(四): 公示5个工作日
        "deeds_target_chars": 1000,  # 五(四): 1000字左右的事迹材料
        "brief_deeds_max_chars": 500,  # 五(四): 500字以内的简要事迹
        "min_years_in_field": 3, "field_of_work": "知识产权保护工作",  # 一(二)2: 从事知识产权保护工作3年以上
        "exclude_deputy_bureau_and_above": True, "exclude_city_managed_cadres": True,  # 五(二)
        "exclude_model_worker_treatment": True,  # 二(二): 享受省部级及以上表彰奖励获得者待遇人员不参加评选
        "prior_commendation_since_year": 2019,  # 二(二): 2019年以来已获得省部级及以上同类型表彰的，原则上不再参加
        "review_mode": Campaign.ReviewMode.VOTES, "vote_pass_percent": 50,
        "contact": "市知识产权局知识产权保护处2413室；联系人：张老师；联系电话：（023）67539940；"
                   "联系地址：重庆市江北区五简路9号重庆市知识产权局2413室；邮编：400023",
        "source": "重庆市知识产权保护工作先进集体和先进个人申报评选说明（附件1）",
    })
    _categories(campaign, ("重庆市知识产权保护工作先进集体", 50), ("重庆市知识产权保护工作先进个人", 50))
    # 三: 各区县可推荐2个集体、2名个人（其中知识产权管理部门及其内设机构、下属单位最多集体1个、个人1名）.
    for name, district in tree.cq_districts.items():
        quota = _quota(campaign, district, 2, 2, note="三、表彰名额：各区县2个集体、2名个人")
        _quota(campaign, tree.cq_ip_admins[name], 1, 1, parent=quota,
               note="其中区县知识产权管理部门及其内设机构、下属单位最多集体1个、个人1名")
    # 三: 市级部门可推荐1个集体、2名个人.
    for dept in [*tree.cq_departments.values(), tree.cq_host]:
        _quota(campaign, dept, 1, 2, note="三、表彰名额：市级部门1个集体、2名个人")
    # 五(二): 三个"原则上"比例.
    _cap(campaign, "处级干部不超过先进个人表彰总数的20%", CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS,
         CapRule.Base.INDIVIDUAL_AWARDS, "20", CapRule.Mode.IN_PRINCIPLE, "重庆 五(二)")
    _cap(campaign, "市级机关内设机构及工作人员不超过表彰总数的15%", CapRule.Counts.MUNICIPAL_ORGAN_BODIES,
         CapRule.Base.ALL_AWARDS, "15", CapRule.Mode.IN_PRINCIPLE, "重庆 五(二)")
    _cap(campaign, "市知识产权局内设机构及工作人员不超过表彰总数的5%", CapRule.Counts.HOST_UNIT_BODIES,
         CapRule.Base.ALL_AWARDS, "5", CapRule.Mode.IN_PRINCIPLE, "重庆 五(二)")
    _forms(campaign, [
        (FormKey.COLLECTIVE_APPROVAL, "附件3", 3),
        (FormKey.INDIVIDUAL_APPROVAL, "附件4", 3),
        (FormKey.CONSULTATION, "附件5", 1),
    ])
    _stages(campaign, CQ_STAGES, base)
    return campaign


def _spread(total: int, n: int) -> list[int]:
    each, extra = divmod(total, n)
    return [each + (1 if i < extra else 0) for i in range(n)]


def national_2021(tree: ReferenceTree, *, slug: str, title: str, year: int, base: dt.date, status: str) -> Campaign:
    campaign = _campaign(slug, {
        "title": title, "year": year, "preset": "national-2021",
        "issuing_bodies": "人力资源社会保障部 国家知识产权局", "document_number": "人社部函〔2021〕108号",
        "status": status, "root": tree.nation, "office": tree.cnipa_office, "host_unit": tree.cnipa,
        "chain_levels": ["推荐单位", "省级评选机构", "全国领导小组办公室（国家知识产权局人事司）"],
        "formal_copies": 5,  # 五(二): 附件2—5 一式5份
        "publicity_working_days": 5,  # 五: 每次公示时间均不少于5个工作日
        "deeds_target_chars": 1000,
        "brief_deeds_max_chars": 300,  # 五(一): 简要事迹（不超过300字）
        "min_years_in_field": 5, "field_of_work": "知识产权工作",  # 一(二): 从事知识产权工作5年以上
        "exclude_deputy_bureau_and_above": True,  # 一(一)(二)
        "unconcluded_objection_cancels": True,  # 五(二): 规定时间内无法作出结论的，取消评选资格
        "exclude_city_managed_cadres": False, "exclude_model_worker_treatment": False,
        "prior_commendation_since_year": None,
        "review_mode": Campaign.ReviewMode.VOTES, "vote_pass_percent": 50,
        "contact": "全国知识产权系统先进集体和先进个人评选表彰工作领导小组办公室（国家知识产权局人事司）；"
                   "联系电话：(010) 62086145、62086541；传真：(010) 62083675；"
                   "联系地址：北京市海淀区西土城路6号国家知识产权局人事司人事处；邮编：100088",
        "source": "人力资源社会保障部 国家知识产权局关于评选全国知识产权系统先进集体和先进个人的通知",
    })
    _categories(campaign, ("全国知识产权系统先进集体", 100), ("全国知识产权系统先进个人", 100))
    # 二: 各省（区、市）共分配推荐名额先进集体128个、先进个人126名. The notice does not print the
    # per-province table: spread evenly here, to be replaced by the office with the real allocation.
    bodies = list(tree.provinces.values())
    for org, coll, ind in zip(bodies, _spread(128, len(bodies)), _spread(126, len(bodies)), strict=True):
        # 二: 处级干部实行限额推荐 — each body's division-level allocation is absolute.
        _quota(campaign, org, coll, ind, division_level_max=1,
               note="按通知总数平均预置（集体128、个人126），以分配表为准")
    # 一(二): 处级或相当于处级干部的比例不超过评选总数的20% — read as the 100 individual awards.
    _cap(campaign, "处级或相当于处级干部不超过评选总数的20%", CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS,
         CapRule.Base.INDIVIDUAL_AWARDS, "20", CapRule.Mode.ABSOLUTE, "全国 一(二)")
    _forms(campaign, [
        (FormKey.INITIAL_REVIEW, "附件1", 1),
        (FormKey.COLLECTIVE_APPROVAL, "附件2", 5),
        (FormKey.INDIVIDUAL_APPROVAL, "附件3", 5),
        (FormKey.CONSULTATION, "附件4", 5),
        (FormKey.SUMMARY, "附件5", 5),
        (FormKey.CONTACT, "附件6", 1),
    ])
    _stages(campaign, NAT_STAGES, base)
    return campaign


def tianjin_2022(tree: ReferenceTree, *, slug: str, title: str, year: int, base: dt.date, status: str) -> Campaign:
    campaign = _campaign(slug, {
        "title": title, "year": year, "preset": "tianjin-2022",
        "issuing_bodies": "天津市人力资源和社会保障局 天津市知识产权局",
        "status": status, "root": tree.tianjin, "office": tree.tj_office, "host_unit": tree.tj_host,
        "chain_levels": ["推荐单位", "各区/市级单位", "市评选表彰工作领导小组办公室"],
        "formal_copies": 3, "publicity_working_days": 5, "deeds_target_chars": 1000, "brief_deeds_max_chars": 500,
        "min_years_in_field": 3, "field_of_work": "知识产权工作",
        "exclude_deputy_bureau_and_above": True, "exclude_city_managed_cadres": False,
        "exclude_model_worker_treatment": True, "prior_commendation_since_year": None,
        "review_mode": Campaign.ReviewMode.SCORES, "vote_pass_percent": 50,
        "contact": "天津市知识产权局人事处",
        "source": "天津市知识产权局2022年工作总结和2023年工作安排（评选出14个先进集体、20名先进工作者）",
    })
    # The summary gives the numbers only; quotas and caps are configurable and preset here as a start.
    _categories(campaign, ("天津市知识产权系统先进集体", 14), ("天津市知识产权系统先进工作者", 20))
    for district in tree.tj_districts.values():
        _quota(campaign, district, 1, 1, note="预置：各区1个集体、1名个人，可调整")
    _quota(campaign, tree.tj_host, 2, 3, note="预置：市知识产权局及所属单位，可调整")
    _quota(campaign, tree.tj_bodies["天津市市场监督管理综合行政执法总队"], 1, 1, note="预置，可调整")
    _cap(campaign, "处级干部不超过先进工作者表彰总数的20%", CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS,
         CapRule.Base.INDIVIDUAL_AWARDS, "20", CapRule.Mode.IN_PRINCIPLE, "预置，可调整")
    _cap(campaign, "市级机关内设机构及工作人员不超过表彰总数的15%", CapRule.Counts.MUNICIPAL_ORGAN_BODIES,
         CapRule.Base.ALL_AWARDS, "15", CapRule.Mode.IN_PRINCIPLE, "预置，可调整")
    _cap(campaign, "市知识产权局内设机构及工作人员不超过表彰总数的5%", CapRule.Counts.HOST_UNIT_BODIES,
         CapRule.Base.ALL_AWARDS, "5", CapRule.Mode.IN_PRINCIPLE, "预置，可调整")
    _forms(campaign, [
        (FormKey.COLLECTIVE_APPROVAL, "附件1", 3),
        (FormKey.INDIVIDUAL_APPROVAL, "附件2", 3),
        (FormKey.SUMMARY, "附件3", 1),
    ])
    _stages(campaign, TJ_STAGES, base)
    return campaign


PRESETS = {
    "chongqing-2023": (chongqing_2023, "cq-2023", "重庆市知识产权保护工作先进集体和先进个人评选表彰（2023年）", 2023, CQ_BASE),
    "national-2021": (national_2021, "national-2021", "全国知识产权系统先进集体和先进个人评选表彰（2021年）", 2021, NAT_BASE),
    "tianjin-2022": (tianjin_2022, "tj-2022", "天津市知识产权系统先进集体和先进工作者评选表彰（2022年）", 2022, TJ_BASE),
}


@transaction.atomic
def apply_preset(
    key: str,
    *,
    tree: ReferenceTree | None = None,
    slug: str | None = None,
    title: str | None = None,
    start: dt.date | None = None,
    status: str | None = None,
) -> Campaign:
    """Load a preset as in its seed, or, with ``start``, as a new run shifted to that date."""
    builder, default_slug, default_title, year, base = PRESETS[key]
    tree = tree or load_reference_tree()
    if start is not None:
        # A new run: it must not overwrite the seed campaign, nor carry the seed's year in its title.
        slug = slug or f"{default_slug.rsplit('-', 1)[0]}-{start:%Y%m%d}"
        title = title or default_title.replace(f"（{year}年）", f"（{start.year}年）")
        year = start.year
    return builder(
        tree,
        slug=slug or default_slug,
        title=title or default_title,
        year=year,
        base=start or base,
        status=status or (Campaign.Status.OPEN if start else Campaign.Status.ARCHIVED),
    )


def load_all_presets() -> list[Campaign]:
    tree = load_reference_tree()
    return [apply_preset(key, tree=tree) for key in PRESETS]
