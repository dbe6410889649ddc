"""Nominations (推荐对象) and the records of the unit and district stages (DESIGN §3, §4).

Models stay slim: every state change goes through ``nominations.services``; the rules live in
``nominations.rules``, one function each.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from awards.models import Campaign, Category, Quota
from core.crypto import BlindIndexField, EncryptedCharField
from orgs.models import Organisation


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    UNIT_PUBLICITY = "unit_publicity", _("单位公示中")
    UNIT_READY = "unit_ready", _("单位公示无异议，待报送")
    SUBMITTED = "submitted", _("已报送，待审核")
    RETURNED = "returned", _("已退回修改")
    ACCEPTED = "accepted", _("审核通过")
    FORWARDED = "forwarded", _("已报送领导小组办公室")
    CANCELLED = "cancelled", _("已取消")
    WITHDRAWN = "withdrawn", _("已撤回")


# Nominations that hold (or are on their way to hold) a slot of the reporting organisation.
ACTIVE_STATUSES = frozenset(
    {Status.DRAFT, Status.UNIT_PUBLICITY, Status.UNIT_READY, Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED, Status.FORWARDED}
)
# What counts against the district's quota: what it has accepted or sent on (重庆 三 / 全国 二).
QUOTA_STATUSES = frozenset({Status.ACCEPTED, Status.FORWARDED})


class Rank(models.TextChoices):
    """职级. 处级 and 副厅局级-and-above are derived (DESIGN §4 "Rank equivalence")."""

    NONE = "none", _("无职级/一般工作人员")
    CLERK = "clerk", _("一级至四级科员、办事员")
    SECTION_STAFF = "section_staff", _("一级至四级主任科员")
    SECTION_DEPUTY = "section_deputy", _("乡科级副职")
    SECTION = "section", _("乡科级正职")
    RESEARCHER_34 = "researcher_34", _("三级、四级调研员")
    RESEARCHER_12 = "researcher_12", _("一级、二级调研员")
    DIVISION_DEPUTY = "division_deputy", _("县处级副职")
    DIVISION = "division", _("县处级正职")
    INSPECTOR = "inspector", _("一级、二级巡视员")
    BUREAU_DEPUTY = "bureau_deputy", _("厅局级副职")
    BUREAU = "bureau", _("厅局级正职及以上")


# "处级或相当于处级" includes 县处级正职/副职 and 一级至四级调研员 (DESIGN §4; 重庆 五(二), 全国 一(二)).
DIVISION_LEVEL_RANKS = frozenset({Rank.RESEARCHER_34, Rank.RESEARCHER_12, Rank.DIVISION_DEPUTY, Rank.DIVISION})
# "副厅局级及以上" includes 一级/二级巡视员 and above (重庆 五(二), 全国 一(二)).
DEPUTY_BUREAU_RANKS = frozenset({Rank.INSPECTOR, Rank.BUREAU_DEPUTY, Rank.BUREAU})


class CollectiveNature(models.TextChoices):
    ORGAN = "organ", _("机关")
    CIVIL_SERVICE_MANAGED = "civil_service_managed", _("参公单位")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    STATE_OWNED = "state_owned", _("国有企业")
    STATE_CONTROLLED = "state_controlled", _("国有控股企业")
    SOCIAL = "social", _("社会团体")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Ownership(models.TextChoices):
    NONE = "", _("非企业")
    STATE_OWNED = "state_owned", _("国有企业")
    PRIVATE = "private", _("民营（私营）企业")


class NominationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def for_listing(self):
        return self.select_related("campaign", "unit", "quota__organisation", "sub_quota__organisation")


def photo_path(instance, filename: str) -> str:
    return f"nominations/{instance.campaign_id}/photos/{filename}"


def minutes_path(instance, filename: str) -> str:
    return f"nominations/{instance.campaign_id}/minutes/{filename}"


class Nomination(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("评选表彰活动"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("推荐单位"),
        help_text=_("经民主推荐、集体研究提出推荐对象的单位"),
    )
    quota = models.ForeignKey(Quota, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("所用名额"))
    sub_quota = models.ForeignKey(
        Quota, null=True, blank=True, on_delete=models.PROTECT, related_name="sub_nominations", verbose_name=_("所用子名额")
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    unit_rank = models.PositiveSmallIntegerField(_("单位推荐排序"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("推荐排序"), null=True, blank=True)
    # Chongqing 三: a division-level nominee must come with one below-division alternate (备选).
    is_alternate = models.BooleanField(_("作为处级干部的备选"), default=False)

    # --- collective -------------------------------------------------------------------------
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="collective_nominations",
        verbose_name=_("推荐集体"),
    )
    collective_nature = models.CharField(_("单位性质"), max_length=24, choices=CollectiveNature.choices, blank=True)
    head_name = models.CharField(_("单位负责人"), max_length=40, blank=True)
    staff_count = models.PositiveIntegerField(_("职工人数"), null=True, blank=True)
    address = models.CharField(_("通讯地址"), max_length=200, blank=True)
    # 重庆 一(一)4 / 全国 三(一)5: 近5年无违法违纪 — a recorded commitment of the unit.
    no_violation_commitment = models.BooleanField(_("承诺近5年无违纪违法、无一票否决情形"), default=False)

    # --- individual -------------------------------------------------------------------------
    name = models.CharField(_("姓名"), max_length=40, blank=True)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生年月"), null=True, blank=True)
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    education = models.CharField(_("学历"), max_length=20, blank=True)
    # Encrypted at rest (core.crypto); id_number_index answers "is this person already nominated".
    id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True)
    id_number_index = BlindIndexField(source="id_number")
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    work_start_date = models.DateField(_("参加工作时间"), null=True, blank=True)
    post = models.CharField(_("工作单位及职务"), max_length=120, blank=True)
    division = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在处（科）室"),
    )
    rank_grade = models.CharField(_("职级"), max_length=20, choices=Rank.choices, blank=True)
    is_unit_head = models.BooleanField(_("单位主要负责人（一把手）"), default=False)
    is_city_managed_cadre = models.BooleanField(_("市管干部"), default=False)
    has_model_worker_treatment = models.BooleanField(_("享受省部级及以上表彰奖励获得者待遇"), default=False)
    years_in_field = models.DecimalField(_("从事相关工作年限"), max_digits=4, decimal_places=1, null=True, blank=True)
    # 全国 一(二) / 重庆 五(二): a public-institution leader with a senior title may be nominated as a
    # professional, then not counted as 处级; the reason is recorded.
    as_professional = models.BooleanField(_("以专业技术人员身份推荐"), default=False)
    as_professional_reason = models.CharField(_("以专业技术人员身份推荐的理由"), max_length=300, blank=True)
    photo = models.ImageField(_("2寸证件照"), upload_to=photo_path, blank=True)

    # --- both -------------------------------------------------------------------------------
    ownership = models.CharField(_("企业所有制"), max_length=12, choices=Ownership.choices, blank=True, default="")
    # 全国 五(二): 违反企业用工规定、劳动关系不和谐、安全生产责任事故、拖欠工资、未缴社保的企业不能参加评选.
    enterprise_compliance_declared = models.BooleanField(
        _("企业声明：无违法用工、安全生产责任事故、拖欠工资、欠缴税款及社会保险费等情形"), default=False
    )
    prior_same_commendation = models.CharField(
        _("2019年以来获得的省部级及以上同类表彰"), max_length=200, blank=True
    )
    deeds = models.TextField(_("事迹材料"), blank=True)
    brief_deeds = models.TextField(_("简要事迹"), blank=True)

    # --- cancellation (nothing is deleted) ----------------------------------------------------
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    # 全国 六(三)/重庆 五(三): 取消相应名额 — the slot is forfeited, no backfill, no resubmission.
    forfeits_slot = models.BooleanField(_("取消相应名额（不得递补或重报）"), default=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("推荐对象")
        verbose_name_plural = _("推荐对象")
        ordering = ["campaign", "quota", "category", "rank", "unit_rank", "id"]
        indexes = [
            models.Index(fields=["campaign", "quota", "category", "status"]),
            models.Index(fields=["campaign", "unit", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["quota", "category", "rank"], condition=Q(rank__isnull=False), name="nomination_unique_rank"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_collective(self) -> bool:
        return self.category == Category.COLLECTIVE

    @property
    def display_name(self) -> str:
        if self.is_collective:
            return self.organisation.name if self.organisation_id else "（未选择集体）"
        return self.name or "（未填写姓名）"

    @property
    def is_division_level(self) -> bool:
        """处级 for the caps and the per-unit rule, unless nominated as a professional."""
        return (not self.is_collective) and self.rank_grade in DIVISION_LEVEL_RANKS and not self.as_professional

    @property
    def is_deputy_bureau_or_above(self) -> bool:
        if self.is_collective:
            return bool(self.organisation_id and self.organisation.is_deputy_bureau_or_above)
        return self.rank_grade in DEPUTY_BUREAU_RANKS

    @property
    def is_enterprise(self) -> bool:
        return bool(self.ownership)

    def clean(self) -> None:
        from .rules import check_nomination_fields

        check_nomination_fields(self)


class Leader(models.Model):
    """班子成员 of a nominated collective (重庆 二, 三: their unit may not also nominate them)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="leaders")
    name = models.CharField(_("姓名"), max_length=40)
    post = models.CharField(_("职务"), max_length=80, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("班子成员")
        verbose_name_plural = _("班子成员")

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）" if self.post else self.name


class Appraisal(models.Model):
    class Result(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        COMPETENT = "competent", _("称职（合格）")
        BASIC = "basic", _("基本称职（基本合格）")
        INCOMPETENT = "incompetent", _("不称职（不合格）")
        UNGRADED = "ungraded", _("不定等次")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="appraisals")
    year = models.PositiveSmallIntegerField(_("年度"))
    result = models.CharField(_("考核结果"), max_length=12, choices=Result.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度考核")
        verbose_name_plural = _("年度考核")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["nomination", "year"], name="appraisal_unique_year")]

    def __str__(self) -> str:
        return f"{self.year}年：{self.get_result_display()}"


class Honour(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCIAL = "provincial", _("省部级")
        MUNICIPAL = "municipal", _("市（厅局）级")
        COUNTY = "county", _("区县级")
        OTHER = "other", _("其他")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="honours")
    year = models.PositiveSmallIntegerField(_("年份"))
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    title = models.CharField(_("荣誉名称"), max_length=120)
    conferred_by = models.CharField(_("授予单位"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("荣誉")
        verbose_name_plural = _("荣誉")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.title}"


class Justification(models.Model):
    """The written reason for going ahead despite an in-principle rule; shown to every level above."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="justifications")
    rule = models.CharField(_("规则"), max_length=60)
    warning = models.CharField(_("提示"), max_length=300)
    text = models.TextField(_("说明理由"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_org = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("原则性规则说明")
        verbose_name_plural = _("原则性规则说明")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.nomination_id} · {self.rule}"


class UnitProcedure(models.Model):
    """The unit's democratic recommendation and leadership collective study (重庆 四(一), 全国 五(一))."""

    class Kind(models.TextChoices):
        DEMOCRATIC = "democratic", _("民主推荐")
        LEADERSHIP = "leadership", _("领导班子集体研究")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="unit_procedures")
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="unit_procedures")
    kind = models.CharField(_("程序"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    attendees = models.CharField(_("参加人员"), max_length=300)
    result = models.TextField(_("结果"))
    minutes = models.FileField(_("会议纪要"), upload_to=minutes_path, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位推荐程序")
        verbose_name_plural = _("单位推荐程序")
        ordering = ["held_on"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()} · {self.held_on}"


class Consultation(models.Model):
    """A solicited opinion on one nominee (重庆 四(一); 全国 五(二))."""

    class Department(models.TextChoices):
        PERSONNEL = "personnel", _("组织人事")
        DISCIPLINE = "discipline", _("纪检监察")
        POLICE = "police", _("公安")
        ECOLOGY = "ecology", _("生态环境")
        TAX = "tax", _("税务")
        MARKET = "market", _("市场监管")
        EMERGENCY = "emergency", _("应急管理")
        AUDIT = "audit", _("审计")
        UNITED_FRONT = "united_front", _("统战")
        FEDERATION = "federation", _("工商联")

    class Answer(models.TextChoices):
        NO_OBJECTION = "no_objection", _("无异议")
        OBJECTION = "objection", _("有异议")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="consultations")
    department = models.CharField(_("征求意见部门"), max_length=16, choices=Department.choices)
    department_name = models.CharField(_("部门名称"), max_length=120, blank=True)
    answer = models.CharField(_("意见"), max_length=16, choices=Answer.choices)
    opinion = models.TextField(_("意见内容"), blank=True)
    answered_on = models.DateField(_("回复日期"))
    scanned_form = models.FileField(_("意见表扫描件"), upload_to="nominations/consultations/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["department"]
        constraints = [models.UniqueConstraint(fields=["nomination", "department"], name="consultation_unique_dept")]

    def __str__(self) -> str:
        return f"{self.get_department_display()}：{self.get_answer_display()}"


class PartyGroupDecision(models.Model):
    """党组（委）集体研究同意 of the district or department (重庆 四(一))."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="party_group_decisions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="party_group_decisions")
    held_on = models.DateField(_("会议日期"))
    meeting = models.CharField(_("会议名称"), max_length=120)
    summary = models.TextField(_("研究意见"))
    minutes = models.FileField(_("会议纪要"), upload_to="nominations/party_group/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党组（委）研究")
        verbose_name_plural = _("党组（委）研究")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.meeting} · {self.held_on}"


class Submission(models.Model):
    """A district's or department's submission to the office: the ranked list as sent."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="submissions")
    quota = models.ForeignKey(Quota, on_delete=models.PROTECT, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    ranking = models.JSONField(_("报送时的排序"), default=dict)

    class Meta:
        verbose_name = _("报送记录")
        verbose_name_plural = _("报送记录")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.quota} · {self.submitted_at:%Y-%m-%d %H:%M}"


class Event(models.Model):
    """One transition of a nomination: who, when, from what to what, and on what basis."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因/依据"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.from_status}→{self.to_status}"


def import_path(instance, filename: str) -> str:
    return f"nominations/{instance.campaign_id}/imports/{filename}"


class ImportJob(models.Model):
    """One Excel import of nominees for a unit: all rows or none (nominations.imports).

    Runs as a task (nominations.tasks.run_import); the page polls ``processed_rows``/``total_rows``.
    ``errors`` holds the row-by-row report: ``[{"row": 3, "column": "身份证号", "message": "…"}]``
    (``row`` is the Excel row number, or null for a problem with the whole file).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在处理")
        DONE = "done", _("已导入")
        FAILED = "failed", _("未导入")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("评选表彰活动"))
    unit = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="import_jobs", verbose_name=_("推荐单位"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    file = models.FileField(_("上传的文件"), upload_to=import_path)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已校验行数"), default=0)
    created_count = models.PositiveIntegerField(_("已导入数"), default=0)
    errors = models.JSONField(_("错误报告"), default=list, blank=True)
    message = models.CharField(_("处理结果"), max_length=300, blank=True)
    created_ids = models.JSONField(_("导入的推荐对象"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量导入")
        verbose_name_plural = _("批量导入")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "unit", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_category_display()} · {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0
