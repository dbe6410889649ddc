"""The per-role to-do list on the home page: one section per role the user holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from awards.models import Campaign, Quota, StageKey
from awards.selectors import campaigns_for, quota_holders_for
from orgs.models import Role, RoleAssignment, User
from orgs.permissions import active_roles
from workdays.models import HolidayArrangement

from .models import WorkerHeartbeat


@dataclass
class Item:
    title: str
    detail: str = ""
    url: str = ""
    deadline: object = None
    tag: str = ""


@dataclass
class Section:
    assignment: RoleAssignment
    heading: str
    items: list[Item] = field(default_factory=list)
    empty: str = "暂无待办事项"


def _stage(campaign: Campaign, key: str):
    return next((s for s in campaign.stages.all() if s.key == key), None)


def _open(campaigns):
    return [c for c in campaigns if c.status == Campaign.Status.OPEN]


def home_sections(user: User) -> list[Section]:
    campaigns = campaigns_for(user)
    sections = []
    for assignment in active_roles(user):
        builder = BUILDERS.get(assignment.role)
        if builder:
            sections.append(builder(assignment, campaigns))
    return sections


def _unit(assignment, campaigns):
    section = Section(assignment, f"{assignment.scope.name}：推荐工作")
    open_campaigns = _open(campaigns)
    holders = quota_holders_for(open_campaigns, assignment.scope)
    for c in open_campaigns:
        holder = holders.get(c.pk)
        if holder is None:
            continue
        stage = _stage(c, StageKey.UNIT)
        section.items.append(Item(
            title=f"{c.title}：录入推荐对象、民主推荐与单位公示",
            detail=f"报送至 {holder.organisation.name}（名额：集体{holder.collective_max}个、个人{holder.individual_max}名）",
            url=f"/nominations/c/{c.slug}/u/{assignment.scope_id}/", deadline=stage.deadline if stage else None, tag="推荐",
        ))
    return section


def _screener(assignment, campaigns):
    section = Section(assignment, f"{assignment.scope.name}：审核推荐")
    quotas = {q.campaign_id: q for q in Quota.objects.filter(organisation=assignment.scope, campaign__in=[c.pk for c in campaigns])}
    for c in _open(campaigns):
        quota = quotas.get(c.pk)
        if quota is None:
            continue
        stage = _stage(c, StageKey.SUBMISSION)
        section.items.append(Item(
            title=f"{c.title}：审核筛选、征求意见、排序并报送",
            detail=f"本级名额：集体{quota.collective_max}个、个人{quota.individual_max}名；逾期未报视为自动放弃",
            url=f"/nominations/screening/{quota.pk}/", deadline=stage.deadline if stage else None, tag="审核",
        ))
    return section


def _office(assignment, campaigns):
    section = Section(assignment, "领导小组办公室：活动进度")
    for c in campaigns:
        if not c.root.is_under(assignment.scope):
            continue
        current = c.current_stage()
        section.items.append(Item(
            title=c.title,
            detail=f"{c.get_status_display()}；当前阶段：{current.label if current else '无进行中的阶段'}",
            url=f"/campaigns/{c.slug}/", deadline=current.deadline if current else None, tag=c.get_status_display(),
        ))
    return section


def _member(assignment, campaigns):
    section = Section(assignment, "领导小组成员：综合评审", empty="暂无待评审的名单")
    for c in _open(campaigns):
        current = c.current_stage()
        if current and current.key == StageKey.COMPREHENSIVE_REVIEW:
            section.items.append(Item(title=f"{c.title}：综合评审", url=f"/campaigns/{c.slug}/", deadline=current.deadline, tag="评审"))
    return section


def _consulted(assignment, campaigns):
    return Section(assignment, f"{assignment.scope.name}：征求意见", empty="暂无征求意见请求")


def _auditor(assignment, campaigns):
    section = Section(assignment, "审计：最近的变更记录", empty="暂无变更记录")
    records = []
    under = assignment.scope.path
    # Only changes inside the auditor's part of the tree; the foreign keys each model's __str__
    # reads are fetched with the records (not one query per row).
    audited = (
        (Campaign, {"root__path__startswith": under}, ()),
        (Quota, {"organisation__path__startswith": under}, ("organisation",)),
        (RoleAssignment, {"scope__path__startswith": under}, ("user", "scope")),
    )
    for model, in_scope, related in audited:
        history = model.history.filter(**in_scope).select_related("history_user", *related)
        for r in history.order_by("-history_date")[:10]:
            r.instance_for_display = r.instance
            for name in related:
                if getattr(r, name) is not None:
                    setattr(r.instance_for_display, name, getattr(r, name))
            records.append(r)
    records.sort(key=lambda r: r.history_date, reverse=True)
    for r in records[:15]:
        who = r.history_user.display_name if r.history_user else "系统"
        section.items.append(Item(
            title=f"{r.instance_for_display._meta.verbose_name}：{r.instance_for_display}",
            detail=f"{r.get_history_type_display()} · {who}",
            deadline=None, tag=timezone.localtime(r.history_date).strftime("%Y-%m-%d %H:%M"),
        ))
    return section


def _admin(assignment, campaigns):
    section = Section(assignment, "系统管理：运行状态")
    beat = WorkerHeartbeat.objects.first()
    years = list(HolidayArrangement.objects.order_by("-year").values_list("year", flat=True)[:1])
    section.items.append(Item(
        title="后台任务（Celery）",
        detail=f"最近心跳：{timezone.localtime(beat.created_at):%Y-%m-%d %H:%M:%S}（{beat.hostname}）" if beat else "尚无心跳：请确认 worker 与 beat 已启动",
        url="/status/", tag="正常" if beat else "待确认",
    ))
    section.items.append(Item(
        title="工作日历",
        detail=f"已录入节假日安排至 {years[0]} 年" if years else "尚未录入任何年度的节假日安排",
        url="/admin/workdays/holidayarrangement/", tag="日历",
    ))
    return section


def _security(assignment, campaigns):
    section = Section(assignment, "安全管理：授权与安全策略")
    under = assignment.scope.path
    grants = RoleAssignment.objects.active().filter(scope__path__startswith=under).count()
    section.items.append(Item(title="角色授权", detail=f"{assignment.scope.name}范围内现有授权 {grants} 项", url="/security/", tag="授权"))
    section.items.append(Item(title="安全策略", detail="登录失败锁定、密码期限、会话超时", url="/security/policy/", tag="策略"))
    return section


BUILDERS = {
    Role.UNIT_STAFF: _unit,
    Role.SCREENER: _screener,
    Role.OFFICE: _office,
    Role.GROUP_MEMBER: _member,
    Role.CONSULTED: _consulted,
    Role.AUDITOR: _auditor,
    Role.ADMIN: _admin,
    Role.SECURITY_ADMIN: _security,
}
