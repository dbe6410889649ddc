"""Caps on a list, computed live (DESIGN §2, §4).

Each ``CapRule.counts`` names a predicate over nominations, here, in one place. A cap's limit is
floor(percent × base). Absolute caps can never be exceeded; in-principle caps only up to the count
a recorded leading-group decision (``CapDecision``) allows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from awards.models import Campaign, CapRule
from nominations.models import Nomination
from nominations.rules import RuleError
from orgs.models import Kind, Level, Organisation

from .models import CapDecision

ORGAN_KINDS = (Kind.MUNICIPAL_ORGAN, Kind.HOST_UNIT)


def _body(nom: Nomination) -> Organisation:
    """The organisation a nominee stands for: the collective itself, or the individual's unit."""
    return nom.organisation if nom.is_collective and nom.organisation_id else nom.unit


def _internal_body_of(org: Organisation, kinds) -> bool:
    """An internal body (处室) of a municipal organ, or the organ itself: 重庆 五(二) 市级机关内设机构及工作人员."""
    if org.level == Level.DIVISION and org.parent_id and org.parent.kind in kinds:
        return True
    return org.level == Level.DEPARTMENT and org.kind in kinds


PREDICATES: dict[str, Callable[[Nomination, Campaign], bool]] = {
    # 重庆 五(二) / 全国 一(二): 处级或相当于处级干部.
    CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS: lambda nom, campaign: nom.is_division_level,
    # 重庆 五(二): 市级机关内设机构及工作人员.
    CapRule.Counts.MUNICIPAL_ORGAN_BODIES: lambda nom, campaign: _internal_body_of(_body(nom), ORGAN_KINDS),
    # 重庆 五(二): 市级主办单位（市知识产权局）内设机构及工作人员.
    CapRule.Counts.HOST_UNIT_BODIES: lambda nom, campaign: (
        campaign.host_unit_id is not None
        and _body(nom).level == Level.DIVISION
        and _body(nom).parent_id == campaign.host_unit_id
    ),
}


@dataclass(frozen=True)
class CapUse:
    cap: CapRule
    count: int
    limit: int
    allowed: int  # the limit, or what a leading-group decision allows
    decision: CapDecision | None
    members: tuple[int, ...]  # nomination ids counted

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def blocking(self) -> bool:
        return self.count > self.allowed

    @property
    def state(self) -> str:
        if not self.exceeded:
            return "正常"
        if self.cap.mode == CapRule.Mode.ABSOLUTE:
            return "超出刚性比例"
        return "经领导小组决定突破" if not self.blocking else "超出原则性比例，须领导小组决定"


def cap_uses(campaign: Campaign, nominations: Iterable[Nomination], *, caps=None, decisions=None) -> list[CapUse]:
    """The use of every cap of the campaign on a list. Pass ``caps``/``decisions`` to avoid queries."""
    caps = list(caps if caps is not None else campaign.caps.all())
    if decisions is None:
        decisions = list(CapDecision.objects.filter(campaign=campaign).order_by("recorded_at"))
    latest = {d.cap_id: d for d in decisions}
    nominations = list(nominations)
    uses = []
    for cap in caps:
        cap.campaign = campaign  # reuse the campaign's prefetched categories for the base
        predicate = PREDICATES[cap.counts]
        members = tuple(n.pk for n in nominations if predicate(n, campaign))
        limit = cap.limit()
        decision = latest.get(cap.pk) if cap.mode == CapRule.Mode.IN_PRINCIPLE else None
        allowed = max(limit, decision.allowed_count) if decision else limit
        uses.append(CapUse(cap, len(members), limit, allowed, decision, members))
    return uses


def check_caps(campaign: Campaign, nominations: Iterable[Nomination]) -> None:
    """Refuse a list that breaks an absolute cap, or an in-principle cap without a decision."""
    for use in cap_uses(campaign, nominations):
        if not use.blocking:
            continue
        if use.cap.mode == CapRule.Mode.ABSOLUTE:
            raise RuleError(f"{use.cap.label}：上限为{use.limit}，名单中已有{use.count}。该比例为刚性要求，不得突破。", code="cap_absolute")
        raise RuleError(
            f"{use.cap.label}：上限为{use.limit}，名单中已有{use.count}。原则上不得突破，确需突破的须记录领导小组决定。",
            code="cap_in_principle",
        )
