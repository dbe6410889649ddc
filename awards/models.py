"""Campaigns: titles, numbers, quotas, caps, eligibility, schedule and forms — all data (DESIGN §2)."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from orgs.models import Organisation


class Category(models.TextChoices):
    COLLECTIVE = "collective", _("先进集体")
    INDIVIDUAL = "individual", _("先进个人")


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        OPEN = "open", _("进行中")
        DECIDED = "decided", _("已表彰")
        ARCHIVED = "archived", _("已归档")

    class ReviewMode(models.TextChoices):
        VOTES = "votes", _("投票（同意/弃权/反对）")
        SCORES = "scores", _("评分排序")

    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    preset = models.CharField(_("预置模板"), max_length=40, blank=True)
    issuing_bodies = models.CharField(_("发文机关"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    root = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("评选范围（根机构）")
    )
    office = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="offices_of", verbose_name=_("领导小组办公室")
    )
    host_unit = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_campaigns",
        verbose_name=_("主办单位"),
    )
    # The levels a nomination climbs, bottom-up, as shown to users (DESIGN §3), e.g.
    # ["推荐单位", "区县知识产权局/市级部门", "市领导小组办公室"]. The quota holders are the
    # middle level; the same stage machinery (screen, consult, rank, publicise, submit) runs at each.
    chain_levels = models.JSONField(_("推荐层级"), default=list)
    formal_copies = models.PositiveSmallIntegerField(_("正式材料份数"), default=3)
    publicity_working_days = models.PositiveSmallIntegerField(_("公示工作日数"), default=5)
    deeds_target_chars = models.PositiveIntegerField(_("事迹材料字数（约）"), default=1000)
    brief_deeds_max_chars = models.PositiveIntegerField(_("简要事迹字数上限"), default=500)
    min_years_in_field = models.PositiveSmallIntegerField(_("从事相关工作年限（原则上）"), default=3)
    field_of_work = models.CharField(_("工作领域"), max_length=40, default="知识产权保护工作")
    exclude_deputy_bureau_and_above = models.BooleanField(_("副厅局级及以上不参评"), default=True)
    exclude_city_managed_cadres = models.BooleanField(_("市管干部不参评"), default=False)
    exclude_model_worker_treatment = models.BooleanField(_("享受省部级劳模待遇者不参评"), default=False)
    prior_commendation_since_year = models.PositiveSmallIntegerField(
        _("同类表彰起算年份（原则上不再参评）"), null=True, blank=True
    )
    # 重庆 五(三) / 全国 六(三): 未按规定条件和程序推荐的，取消评选资格并取消相应名额（不得递补或重报）.
    cancellation_forfeits_slot = models.BooleanField(_("违规取消的名额不得递补或重报"), default=True)
    # 全国 五(二): 省级范围公示中异议在规定时间内无法作出结论的，取消该推荐对象的评选资格.
    unconcluded_objection_cancels = models.BooleanField(_("本级公示期满异议未能作出结论的取消评选资格"), default=False)
    review_mode = models.CharField(_("综合评审方式"), max_length=8, choices=ReviewMode.choices, default=ReviewMode.VOTES)
    vote_pass_percent = models.PositiveSmallIntegerField(
        _("投票通过比例（%）"), default=50, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    contact = models.TextField(_("联系方式"), blank=True)
    source = models.CharField(_("依据文件"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评选表彰活动")
        verbose_name_plural = _("评选表彰活动")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        levels = self.chain_levels
        if not isinstance(levels, list) or len(levels) < 2 or not all(isinstance(x, str) and x for x in levels):
            raise ValidationError({"chain_levels": _("推荐层级须为自下而上的层级名称列表，至少两级。")})

    def award_count(self, category: str | None = None) -> int:
        cats = self.categories.all()
        return sum(c.award_count for c in cats if category is None or c.kind == category)

    def current_stage(self) -> Stage | None:
        now = timezone.now()
        stages = list(self.stages.all())
        for stage in stages:
            if stage.deadline and stage.deadline >= now and (stage.opens_at is None or stage.opens_at <= now):
                return stage
        return None


class AwardCategory(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="categories")
    kind = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    title = models.CharField(_("称号"), max_length=120)
    award_count = models.PositiveIntegerField(_("表彰名额"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("表彰类别")
        verbose_name_plural = _("表彰类别")
        ordering = ["campaign", "kind"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind"], name="award_category_unique")]

    def __str__(self) -> str:
        return f"{self.title}（{self.award_count}）"


class Quota(models.Model):
    """How many a reporting organisation may recommend, per category.

    A quota with a ``parent`` is a sub-quota inside it: it counts nominations from its own
    organisation's subtree (Chongqing 三: the district IP administration, its divisions and its
    subordinate units at most 1 + 1 within the district's 2 + 2).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="quotas")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="quotas", verbose_name=_("推荐单位"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="sub_quotas", verbose_name=_("所属名额")
    )
    collective_max = models.PositiveIntegerField(_("集体推荐名额"), default=0)
    individual_max = models.PositiveIntegerField(_("个人推荐名额"), default=0)
    # National 二: 处级干部实行限额推荐 — each province's division-level allocation (absolute).
    division_level_max = models.PositiveIntegerField(_("处级个人推荐限额"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("推荐名额")
        verbose_name_plural = _("推荐名额")
        ordering = ["campaign", "organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organisation"], name="quota_unique_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}：集体{self.collective_max}、个人{self.individual_max}"

    def max_for(self, category: str) -> int:
        return self.collective_max if category == Category.COLLECTIVE else self.individual_max

    def clean(self) -> None:
        if self.parent_id:
            parent = self.parent
            if parent.campaign_id != self.campaign_id:
                raise ValidationError(_("子名额须与所属名额属于同一评选表彰活动。"))
            if not self.organisation.is_under(parent.organisation):
                raise ValidationError(_("子名额的机构必须在所属名额机构之下。"))
            if self.collective_max > parent.collective_max or self.individual_max > parent.individual_max:
                raise ValidationError(_("子名额不能超过所属名额。"))


class CapRule(models.Model):
    """A cap on a list: ``counts`` nominees ≤ floor(``percent``% of ``base``) (DESIGN §2, §4)."""

    class Counts(models.TextChoices):
        DIVISION_LEVEL_INDIVIDUALS = "division_level_individuals", _("处级或相当于处级的个人")
        MUNICIPAL_ORGAN_BODIES = "municipal_organ_bodies", _("市级机关内设机构及工作人员")
        HOST_UNIT_BODIES = "host_unit_bodies", _("主办单位内设机构及工作人员")

    class Base(models.TextChoices):
        INDIVIDUAL_AWARDS = "individual_awards", _("先进个人表彰总数")
        COLLECTIVE_AWARDS = "collective_awards", _("先进集体表彰总数")
        ALL_AWARDS = "all_awards", _("表彰总数")

    class Mode(models.TextChoices):
        ABSOLUTE = "absolute", _("刚性（不得突破）")
        IN_PRINCIPLE = "in_principle", _("原则上（突破须领导小组决定）")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="caps")
    label = models.CharField(_("名称"), max_length=120)
    counts = models.CharField(_("统计对象"), max_length=40, choices=Counts.choices)
    base = models.CharField(_("基数"), max_length=24, choices=Base.choices)
    percent = models.DecimalField(
        _("比例（%）"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    mode = models.CharField(_("性质"), max_length=14, choices=Mode.choices)
    source = models.CharField(_("依据"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("比例限制")
        verbose_name_plural = _("比例限制")
        ordering = ["campaign", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100), name="cap_percent_range")
        ]

    def __str__(self) -> str:
        return self.label

    def base_total(self) -> int:
        category = {
            self.Base.INDIVIDUAL_AWARDS: Category.INDIVIDUAL,
            self.Base.COLLECTIVE_AWARDS: Category.COLLECTIVE,
        }.get(self.base)
        return self.campaign.award_count(category)

    def limit(self) -> int:
        return cap_limit(self.base_total(), self.percent)


def cap_limit(total: int, percent: Decimal | int | str) -> int:
    """Caps are computed with floor (DESIGN §2): 15% of 34 is 5, 20% of 20 is 4."""
    return int((Decimal(total) * Decimal(percent) / 100).to_integral_value(rounding=ROUND_FLOOR))


class StageKey(models.TextChoices):
    CONTACT_FORM = "contact_form", _("报送推荐工作联系表")
    UNIT = "unit", _("单位推荐与公示")
    SUBMISSION = "submission", _("审核推荐并报送初审材料")
    INITIAL_REVIEW = "initial_review", _("初审")
    COMPREHENSIVE_REVIEW = "comprehensive_review", _("综合评审")
    FEEDBACK_PUBLICITY = "feedback_publicity", _("反馈与本级公示")
    FORMAL_MATERIALS = "formal_materials", _("报送正式推荐材料")
    RE_REVIEW = "re_review", _("复审")
    FINAL_PUBLICITY = "final_publicity", _("公示拟表彰对象")
    DECISION = "decision", _("表彰决定")


class Stage(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stages")
    key = models.CharField(_("阶段"), max_length=24, choices=StageKey.choices)
    label = models.CharField(_("名称"), max_length=80)
    order = models.PositiveSmallIntegerField(_("顺序"))
    opens_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Absolute: after the deadline nothing more is submitted in the stage (重庆 五(四) 逾期未报视为自动放弃).
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # The office starts and closes the stages in order (reviews.services.start_stage/close_stage).
    started_at = models.DateTimeField(_("实际开始"), null=True, blank=True)
    closed_at = models.DateTimeField(_("实际结束"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("阶段安排")
        verbose_name_plural = _("阶段安排")
        ordering = ["campaign", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="stage_unique_key")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.opens_at and self.deadline and self.deadline <= self.opens_at:
            raise ValidationError(_("截止时间须晚于开始时间。"))

    @property
    def is_past_deadline(self) -> bool:
        return bool(self.deadline and timezone.now() > self.deadline)


class FormKey(models.TextChoices):
    INITIAL_REVIEW = "initial_review", _("推荐对象初审表")
    COLLECTIVE_APPROVAL = "collective_approval", _("先进集体推荐审批表")
    INDIVIDUAL_APPROVAL = "individual_approval", _("先进个人推荐审批表")
    CONSULTATION = "consultation", _("推荐对象征求意见表")
    SUMMARY = "summary", _("推荐对象汇总表")
    CONTACT = "contact", _("推荐工作联系表")


class CampaignForm(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="forms")
    key = models.CharField(_("表格"), max_length=24, choices=FormKey.choices)
    attachment_number = models.CharField(_("附件编号"), max_length=12)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)

    class Meta:
        verbose_name = _("表格")
        verbose_name_plural = _("表格")
        ordering = ["campaign", "attachment_number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="campaign_form_unique")]

    def __str__(self) -> str:
        return f"{self.attachment_number} {self.get_key_display()}"
