"""The leading-group office's side: 两审三公示 from initial review to the decision (DESIGN §3 steps 3–6).

A ``Review`` follows one nomination that a district or department sent to the office. Its stage
fields record each decision with who and when; the stage machine itself is the campaign's
``awards.Stage`` rows, which are started and closed in order (``reviews.services``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from awards.models import Campaign, CapRule, Quota
from nominations.models import Nomination


class Outcome(models.TextChoices):
    PENDING = "pending", _("待审")
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("未通过")


class Final(models.TextChoices):
    NONE = "", _("—")
    AWARDED = "awarded", _("已表彰")
    CANCELLED = "cancelled", _("取消表彰资格")
    REVOKED = "revoked", _("已撤销表彰")


class ReviewQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related(
            "nomination__unit__parent", "nomination__organisation__parent", "nomination__quota__organisation", "quota__organisation"
        )


class Review(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="reviews")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="review")
    quota = models.ForeignKey(Quota, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("报送单位"))
    category = models.CharField(_("类别"), max_length=12)
    submitter_rank = models.PositiveSmallIntegerField(_("报送排序"))

    # 初审: the office checks materials and asks the city (provincial) police (重庆 四(二); 全国 五(二)).
    initial = models.CharField(_("初审"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    initial_reason = models.CharField(_("初审意见"), max_length=300, blank=True)
    initial_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    initial_at = models.DateTimeField(null=True, blank=True)
    police_answer = models.CharField(_("公安部门意见"), max_length=16, blank=True,
                                     choices=[("no_objection", _("无异议")), ("objection", _("有异议"))])
    police_answered_on = models.DateField(_("公安意见日期"), null=True, blank=True)
    police_form = models.FileField(_("公安意见扫描件"), upload_to="reviews/police/", blank=True)

    # 综合评审: the tally is kept when the stage closes; ``proposed`` puts it on the proposed award list.
    approve_votes = models.PositiveSmallIntegerField(default=0)
    abstain_votes = models.PositiveSmallIntegerField(default=0)
    reject_votes = models.PositiveSmallIntegerField(default=0)
    eligible_voters = models.PositiveSmallIntegerField(default=0)
    average_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    proposed = models.BooleanField(_("列入拟表彰名单"), default=False)
    proposed_rank = models.PositiveSmallIntegerField(_("拟表彰排序"), null=True, blank=True)

    # 复审 of the formal materials (重庆 四(三); 全国 五(三)).
    re_review = models.CharField(_("复审"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    re_review_reason = models.CharField(_("复审意见"), max_length=300, blank=True)
    re_review_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    re_review_at = models.DateTimeField(null=True, blank=True)

    final = models.CharField(_("表彰结果"), max_length=10, choices=Final.choices, blank=True, default="")
    award_title = models.CharField(_("授予称号"), max_length=120, blank=True)
    final_reason = models.CharField(_("撤销/取消原因"), max_length=300, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("评审记录")
        verbose_name_plural = _("评审记录")
        ordering = ["campaign", "category", "quota__organisation__path", "submitter_rank"]
        indexes = [models.Index(fields=["campaign", "category", "initial", "proposed"])]

    def __str__(self) -> str:
        return str(self.nomination)


class Vote(models.Model):
    class Choice(models.TextChoices):
        APPROVE = "approve", _("同意")
        ABSTAIN = "abstain", _("弃权")
        REJECT = "reject", _("反对")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("表决"), max_length=8, choices=Choice.choices, blank=True)
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=2, null=True, blank=True)
    cast_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评审表决")
        verbose_name_plural = _("评审表决")
        constraints = [models.UniqueConstraint(fields=["review", "member"], name="vote_unique_member")]

    def __str__(self) -> str:
        return f"{self.review_id} · {self.member_id} · {self.choice or self.score}"


class CapDecision(models.Model):
    """A leading-group decision to exceed an in-principle cap, shown on the list and in every export."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="cap_decisions")
    cap = models.ForeignKey(CapRule, on_delete=models.PROTECT, related_name="decisions")
    allowed_count = models.PositiveSmallIntegerField(_("同意的人数/个数"))
    meeting = models.CharField(_("会议"), max_length=120)
    held_on = models.DateField(_("会议日期"))
    reason = models.TextField(_("理由"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("突破原则性比例的领导小组决定")
        verbose_name_plural = _("突破原则性比例的领导小组决定")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.cap} · {self.meeting}"


class FormalMaterial(models.Model):
    """正式推荐材料 (重庆 五(四): 附件3/4 一式3份; 全国 五(二): 附件2—5 一式5份)."""

    class Kind(models.TextChoices):
        APPROVAL_FORM = "approval_form", _("推荐审批表")
        CONSULTATION_FORM = "consultation_form", _("征求意见表")
        REPORT = "report", _("正式推荐工作报告")
        PHOTO = "photo", _("2寸证件照")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="materials")
    kind = models.CharField(_("材料"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="reviews/formal/")
    copies = models.PositiveSmallIntegerField(_("纸质份数"), default=1)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("正式推荐材料")
        verbose_name_plural = _("正式推荐材料")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.review_id} · {self.get_kind_display()}"


class Meeting(models.Model):
    """A recorded meeting the chain rests on: the leading group's review, the host bureau's party group."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("领导小组综合评审会议")
        PARTY_GROUP = "party_group", _("主办单位党组会议")
        DECISION = "decision", _("表彰决定")
        REVOCATION = "revocation", _("撤销表彰决定")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("名称/文号"), max_length=160)
    held_on = models.DateField(_("日期"))
    summary = models.TextField(_("内容"))
    minutes = models.FileField(_("纪要/文件"), upload_to="reviews/meetings/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议与决定")
        verbose_name_plural = _("会议与决定")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"
