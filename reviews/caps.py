"""Caps on a list, computed live (DESIGN §2, §4).

Each ``CapRule.counts`` names a predicate over nominations, here, in one place. A cap's limit is
floor(percent × base). Absolute caps can never be exceeded; in-principle caps only up to the count
a recorded leading-group decision (``CapDecision``) allows.

Each predicate also has its SQL form (``SQL_PREDICATES``, beside it) so that a page can count a cap
over thousands of nominations in the query that reads them, without loading them as objects
(issue 8); tests/reviews/test_cap_sql.py holds the two forms equal on every kind of nominee.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Value, When

from awards.models import Campaign, CapRule, Category
from nominations.models import DIVISION_LEVEL_RANKS, Nomination
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


def _itself(prefix: str) -> Q:
    return Q(**{f"{prefix}category": Category.COLLECTIVE, f"{prefix}organisation__isnull": False})


def _body_q(condition: Callable[[str], Q], prefix: str) -> Q:
    """SQL form of ``_body``: ``condition(path)`` on the collective itself when chosen, else on the unit."""
    itself = _itself(prefix)
    return (itself & condition(f"{prefix}organisation__")) | (~itself & condition(f"{prefix}unit__"))


def body_field(name: str, prefix: str = "") -> Case:
    """SQL form of ``_body(nom).<name>``, for ``values()``."""
    return Case(When(_itself(prefix), then=F(f"{prefix}organisation__{name}")), default=F(f"{prefix}unit__{name}"))


def _internal_body_q(kinds) -> Callable[[str], Q]:
    """SQL form of ``_internal_body_of``."""
    return lambda org: (
        Q(**{f"{org}level": Level.DIVISION, f"{org}parent__kind__in": kinds})
        | Q(**{f"{org}level": Level.DEPARTMENT, f"{org}kind__in": kinds})
    )


# The same rules as PREDICATES, as conditions on Nomination (``prefix`` reaches it from another model,
# e.g. "nomination__"). None: the cap counts nobody in this campaign.
SQL_PREDICATES: dict[str, Callable[[Campaign, str], Q | None]] = {
    CapRule.Counts.DIVISION_LEVEL_INDIVIDUALS: lambda campaign, p: (
        ~Q(**{f"{p}category": Category.COLLECTIVE})
        & Q(**{f"{p}rank_grade__in": sorted(DIVISION_LEVEL_RANKS), f"{p}as_professional": False})
    ),
    CapRule.Counts.MUNICIPAL_ORGAN_BODIES: lambda campaign, p: _body_q(_internal_body_q(ORGAN_KINDS), p),
    CapRule.Counts.HOST_UNIT_BODIES: lambda campaign, p: None if campaign.host_unit_id is None else _body_q(
        lambda org: Q(**{f"{org}level": Level.DIVISION, f"{org}parent_id": campaign.host_unit_id}), p,
    ),
}


def flag_name(cap: CapRule) -> str:
    return f"cap_{cap.pk}"


def cap_flags(campaign: Campaign, caps: Iterable[CapRule], prefix: str = "") -> dict:
    """Annotations ``cap_<pk>``: whether the row's nomination counts in each cap (for ``values()``)."""
    out = {}
    for cap in caps:
        condition = SQL_PREDICATES[cap.counts](campaign, prefix)
        out[flag_name(cap)] = Value(False) if condition is None else ExpressionWrapper(condition, output_field=BooleanField())
    return out


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
    nominations = list(nominations)
    members = {cap.pk: tuple(n.pk for n in nominations if PREDICATES[cap.counts](n, campaign)) for cap in caps}
    return uses_of(campaign, members, caps=caps, decisions=decisions)


def uses_of(campaign: Campaign, members: dict[int, tuple[int, ...]], *, caps, decisions) -> list[CapUse]:
    """Each cap's use, given the nomination ids it counts (from ``PREDICATES`` or ``cap_flags``)."""
    latest = {d.cap_id: d for d in decisions}
    uses = []
    for cap in caps:
        cap.campaign = campaign  # reuse the campaign's prefetched categories for the base
        limit = cap.limit()
        decision = latest.get(cap.pk) if cap.mode == CapRule.Mode.IN_PRINCIPLE else None
        allowed = max(limit, decision.allowed_count) if decision else limit
        counted = tuple(members.get(cap.pk, ()))
        uses.append(CapUse(cap, len(counted), limit, allowed, decision, counted))
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
