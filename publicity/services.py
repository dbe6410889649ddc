"""Opening and closing publicity windows, filing and concluding objections (DESIGN §3, §5).

Windows are N working days on the official calendar, fixed when the notice opens. Closing is
idempotent: it locks the notice row and does nothing if it is already closed, so a task that runs
twice (a redelivery, the sweeper catching up after downtime) changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit.log import Action, record_on_commit
from audit.recorded import create_recorded, insert_recorded
from awards.models import Campaign, Category
from core.versions import DATA, bump
from nominations import services as nomination_services
from nominations.models import Nomination
from nominations.models import Status as NominationStatus
from nominations.rules import RuleError
from orgs.duties import check_business_actor
from orgs.models import Organisation, User
from workdays.services import CalendarError, working_day_window

from .formatting import cn_date
from .models import Notice, NoticeEntry, Objection, Scope
from .recent import recent_notices

OBJECTION_RATE = int(getattr(settings, "OBJECTION_RATE_PER_HOUR", 5))


class PublicityError(RuleError):
    pass


def _unit_and_post(nom: Nomination) -> str:
    if nom.is_collective:
        return nom.unit.name if nom.organisation_id != nom.unit_id else ""
    return nom.post or nom.unit.name


def _snapshot(notice: Notice, nominations: list[Nomination]) -> None:
    """Only what a notice may show (全国 五(二): 推荐单位名称、个人姓名和简要事迹)."""
    NoticeEntry.objects.bulk_create([
        NoticeEntry(
            notice=notice, nomination=nom, position=i, category=nom.category,
            name=nom.display_name, unit_and_post=_unit_and_post(nom), brief_deeds=nom.brief_deeds,
        )
        for i, nom in enumerate(nominations, start=1)
    ])
    bump(DATA)  # bulk_create sends no signal (core.versions)


VERSION_KEY = "publicity:version"


def _fresh_version() -> int:
    # Starts from the clock, not 1: if the counter is evicted or the cache restarts, the new
    # numbers never meet pages cached under an old one.
    return int(time.time() * 1000)


def bump_public_version() -> None:
    """Public pages are cached under a version number; a notice change moves it on."""
    cache.incr_or_start(VERSION_KEY, _fresh_version())  # both backends (core.cache)


def public_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), None)
        version = cache.get(VERSION_KEY)
    return version


@transaction.atomic
def open_notice(
    *,
    campaign: Campaign,
    scope: str,
    issuer: Organisation,
    nominations: list[Nomination],
    actor: User,
    title: str = "",
    intro: str = "",
    contact: str,
    how_to_object: str = "",
    opens_at: dt.datetime | None = None,
    replaces: Notice | None = None,
    correction_note: str = "",
) -> Notice:
    """Open (or schedule) a notice: its window is fixed now, on the official calendar."""
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    if not nominations:
        raise PublicityError("请至少选择一个公示对象。", code="empty")
    if not contact.strip():
        raise PublicityError("请填写公示期间受理异议的联系方式。", code="contact")
    if replaces is not None and not correction_note.strip():
        raise PublicityError("更正公示须说明更正的内容。", code="correction")
    now = timezone.now()
    opens_at = opens_at or now
    try:
        # DESIGN §4/§5: a window is exactly N working days (重庆 四: 公示5个工作日).
        window = working_day_window(opens_at, campaign.publicity_working_days)
    except CalendarError as exc:
        raise PublicityError(str(exc), code="calendar") from exc
    if replaces is not None and (replaces.campaign_id, replaces.scope, replaces.issuer_id) != (campaign.pk, scope, issuer.pk):
        raise PublicityError("更正公示须与原公示的评选活动、公示范围和发布单位一致。", code="correction")
    carried = _carried_over(replaces, nominations)
    if scope == Scope.UNIT:
        units = {n.unit_id for n in nominations}
        if units != {issuer.pk}:
            raise PublicityError("单位公示只能公示本单位的推荐对象。", code="scope")
        nomination_services.check_unit_procedures(campaign, issuer)
        nomination_services.check_ready_for_publicity([n for n in nominations if n.pk not in carried])
    ordered = sorted(nominations, key=lambda n: (n.category != Category.COLLECTIVE, n.unit_rank or 999, n.pk))
    label = {Scope.UNIT: issuer.name, Scope.DISTRICT: issuer.name, Scope.FINAL: campaign.root.name}[scope]
    notice = Notice.objects.create(
        campaign=campaign, scope=scope, issuer=issuer,
        title=title or f"{label}关于{campaign.title.split('（')[0]}推荐对象的公示",
        intro=intro or default_intro(campaign, scope, issuer),
        how_to_object=how_to_object or default_how_to_object(window.closes_at),
        contact=contact.strip(), working_days=campaign.publicity_working_days,
        opens_at=opens_at, closes_at=window.closes_at,
        status=Notice.Status.OPEN if opens_at <= now else Notice.Status.SCHEDULED,
        replaces=replaces, correction_note=correction_note.strip(), opened_by=actor,
    )
    _snapshot(notice, ordered)
    record_on_commit(Action.STATE_CHANGE, obj=notice, user=actor, detail={
        "变更": "发布公示" if notice.status == Notice.Status.OPEN else "预约发布公示", "范围": scope,
        "公示对象数": len(ordered), "开始": opens_at.isoformat(), "截止": window.closes_at.isoformat(),
        **({"更正": replaces.pk} if replaces is not None else {}),
    })
    if scope == Scope.UNIT:
        fresh = [n for n in ordered if n.pk not in carried]
        nomination_services.mark_in_publicity(fresh, actor=actor, notice_title=notice.title)
    from .tasks import schedule_notice

    transaction.on_commit(lambda: schedule_notice(notice.pk))
    transaction.on_commit(bump_public_version)
    return notice


def _carried_over(replaces: Notice | None, nominations: list[Nomination]) -> set[int]:
    """A correction of a unit notice lists again nominees already in publicity under the notice it
    corrects: they stay in publicity, and the corrected window decides for them."""
    if replaces is None:
        return set()
    listed = set(replaces.entries.values_list("nomination_id", flat=True))
    return set(
        Nomination.objects.filter(
            pk__in=[n.pk for n in nominations if n.pk in listed], status=NominationStatus.UNIT_PUBLICITY
        ).values_list("pk", flat=True)
    )


def _lineage(notice: Notice) -> list[int]:
    """The notice and every notice it corrects, back to the first."""
    ids, current = [notice.pk], notice
    while current.replaces_id and current.replaces_id not in ids:
        ids.append(current.replaces_id)
        current = Notice.objects.only("pk", "replaces_id").get(pk=current.replaces_id)
    return ids


def _in_running_unit_notice(nomination_id: int) -> bool:
    """Listed on a unit notice still to close (a correction): that window decides, not this one."""
    return NoticeEntry.objects.filter(
        nomination_id=nomination_id, notice__scope=Scope.UNIT,
        notice__status__in=(Notice.Status.SCHEDULED, Notice.Status.OPEN),
    ).exists()


def default_intro(campaign: Campaign, scope: str, issuer: Organisation) -> str:
    return (
        f"根据{campaign.issuing_bodies}关于开展{campaign.title.split('（')[0]}工作的要求，经"
        + ("民主推荐、领导班子集体研究" if scope == Scope.UNIT else "审核推荐、集体研究")
        + "，现将推荐对象予以公示，接受监督。"
    )


def default_how_to_object(closes_at: dt.datetime) -> str:
    last = timezone.localtime(closes_at - dt.timedelta(seconds=1))
    return (
        f"公示期间，如对公示对象有异议，请于{cn_date(last)}24时前以真实姓名通过本页“提出异议”或联系方式反映。"
        "反映问题应当实事求是、具体详实，并提供必要的证明材料。匿名或不实反映不予受理。"
    )


@transaction.atomic
def start_notice(notice_id: int) -> bool:
    """Open a scheduled notice whose instant has come. Idempotent."""
    notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
    if notice is None or notice.status != Notice.Status.SCHEDULED or notice.opens_at > timezone.now():
        return False
    notice.status = Notice.Status.OPEN
    notice._change_reason = "open"  # read by the record page: 到期发布
    notice.save(update_fields=["status"])
    record_on_commit(Action.STATE_CHANGE, obj=notice, detail={"变更": "到期发布公示"})
    transaction.on_commit(bump_public_version)
    return True


@transaction.atomic
def close_notice(notice_id: int, *, now: dt.datetime | None = None) -> bool:
    """Close a notice whose window has passed and move the chain on. Idempotent: False if nothing to do."""
    now = now or timezone.now()
    notice = Notice.objects.select_for_update().select_related("campaign").filter(pk=notice_id).first()
    if notice is None or notice.status != Notice.Status.OPEN or notice.closes_at > now:
        return False
    outcome = {"clean": [], "open_objection": [], "upheld": [], "cancelled_unconcluded": [], "corrected": []}
    entries = list(notice.entries.select_related("nomination"))
    # Objections filed against the notices this one corrects count too.
    by_nomination: dict[int, list[Objection]] = {}
    for o in Objection.objects.filter(notice_id__in=_lineage(notice), entry__nomination_id__in=[e.nomination_id for e in entries]).select_related("entry"):
        by_nomination.setdefault(o.entry.nomination_id, []).append(o)
    # A nominee listed again by a running correction is decided when the correction closes.
    superseded = set(
        NoticeEntry.objects.filter(
            notice__replaces=notice, notice__status__in=(Notice.Status.SCHEDULED, Notice.Status.OPEN)
        ).values_list("nomination_id", flat=True)
    )
    for entry in entries:
        if entry.nomination_id in superseded:
            outcome["corrected"].append(entry.nomination_id)
            continue
        objections = by_nomination.get(entry.nomination_id, [])
        open_ = [o for o in objections if o.is_open]
        upheld = [o for o in objections if o.status == Objection.Status.UPHELD]
        if upheld:
            outcome["upheld"].append(entry.nomination_id)
        elif open_:
            if notice.scope == Scope.DISTRICT and notice.campaign.unconcluded_objection_cancels:
                # 全国 五(二): 省级范围公示中异议在规定时间内无法作出结论的，取消该推荐对象的评选资格.
                nomination_services.cancel_nomination(
                    entry.nomination, reason="省级公示期间异议未能在规定时间内作出结论，取消评选资格", actor=None, forfeits_slot=False
                )
                outcome["cancelled_unconcluded"].append(entry.nomination_id)
            else:
                outcome["open_objection"].append(entry.nomination_id)
        else:
            outcome["clean"].append(entry.nomination_id)
        if notice.scope == Scope.UNIT:
            nomination_services.after_unit_window(entry.nomination)
    notice.status = Notice.Status.CLOSED
    notice.closed_at = now
    notice.outcome = outcome
    notice._change_reason = "close"
    notice.save(update_fields=["status", "closed_at", "outcome"])
    record_on_commit(Action.STATE_CHANGE, obj=notice, detail={
        "变更": "公示期满关闭", **{key: len(ids) for key, ids in outcome.items()},
    })
    transaction.on_commit(bump_public_version)
    return True


def due_notices(now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    now = now or timezone.now()
    to_open = list(Notice.objects.filter(status=Notice.Status.SCHEDULED, opens_at__lte=now).values_list("pk", flat=True))
    to_close = list(Notice.objects.filter(status=Notice.Status.OPEN, closes_at__lte=now).values_list("pk", flat=True))
    return to_open, to_close


def upcoming_notices(now: dt.datetime, within: dt.timedelta) -> list[int]:
    """Notices whose opening or closing instant falls in (now, now + within]."""
    until = now + within
    return list(
        Notice.objects.filter(
            Q(status=Notice.Status.SCHEDULED, opens_at__gt=now, opens_at__lte=until)
            | Q(status__in=(Notice.Status.SCHEDULED, Notice.Status.OPEN), closes_at__gt=now, closes_at__lte=until)
        ).values_list("pk", flat=True)
    )


# --- objections --------------------------------------------------------------------------------


def client_key(ip: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:32]


def check_rate(key: str, *, limit: int = OBJECTION_RATE, window_seconds: int = 3600) -> None:
    """A counter in the shared cache (Redis in production), so it holds across worker processes."""
    from core.ratelimit import Limit, exceeded

    if exceeded(Limit("objection-filed", limit, window_seconds), key):
        raise PublicityError("提交过于频繁，请稍后再试。", code="rate")


def _notice_of_entry(entry_id: int, notice_id: int | None, *, lock: bool) -> Notice:
    """The notice of entry ``entry_id`` (of notice ``notice_id`` when given); PublicityError when there
    is no such entry. ``lock``: locked against a change (closing, withdrawal) until the transaction ends.

    On PostgreSQL a share lock: objections to one notice do not wait for each other (the surge of
    the morning a city-wide notice opens), a change of the notice waits for them and they for it.
    One statement reads the entry and the notice, with no queryset built (the public form's hot path).
    """
    if connection.vendor == "postgresql":
        fields = Notice._meta.concrete_fields
        quote = connection.ops.quote_name
        columns = ", ".join(f"n.{quote(f.column)}" for f in fields)
        same_notice = "AND e.notice_id = %s" if notice_id is not None else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {Notice._meta.db_table} n JOIN {NoticeEntry._meta.db_table} e "
                f"ON e.notice_id = n.id WHERE e.id = %s {same_notice}{' FOR SHARE OF n' if lock else ''}",
                [entry_id] if notice_id is None else [entry_id, notice_id],
            )
            found = cursor.fetchone()
        if found is not None:
            recent_notices.put((entry_id, notice_id), found)
        notice = None if found is None else Notice.from_db(connection.alias, [f.attname for f in fields], found)
    else:
        entries = NoticeEntry.objects.filter(pk=entry_id)
        if notice_id is not None:
            entries = entries.filter(notice_id=notice_id)
        notices = Notice.objects.select_for_update() if lock else Notice.objects.all()
        notice = notices.filter(pk__in=entries.values("notice_id")).first()
    if notice is None:
        raise PublicityError("请从列表中选择公示对象。", code="entry")
    return notice


def _still_as_read(notice: Notice, entry_id: int) -> tuple[str, list]:
    """SQL true while ``notice`` has the window and status it was read with (what ``is_open_at``
    reads), share-locking it, and ``entry_id`` is one of its entries: the guard of the filing
    written in one statement (audit.recorded). The read may be a few seconds old (publicity.recent)."""
    fields = [Notice._meta.get_field(name) for name in ("status", "opens_at", "closes_at")]
    same = " AND ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    return (
        f"EXISTS (SELECT 1 FROM {NoticeEntry._meta.db_table} WHERE id = %s AND notice_id = %s) "
        f"AND EXISTS (SELECT 1 FROM {Notice._meta.db_table} WHERE id = %s AND {same} FOR SHARE)",
        [
            entry_id, notice.pk, notice.pk,
            *(f.get_db_prep_value(getattr(notice, f.attname), connection) for f in fields),
        ],
    )


def _checked_notice(entry_id: int, notice_id: int | None, *, name: str, contact: str, facts: str, now) -> Notice:
    """The notice of the entry, checked against the rules: as this process read it a few seconds ago
    if that passes (the statement's guard confirms it), else as the database holds it now, so that
    no filing is refused on an old copy (a notice opened since, publicity.recent)."""
    found = recent_notices.get((entry_id, notice_id))
    if found is not None:
        notice = Notice.from_db(connection.alias, [f.attname for f in Notice._meta.concrete_fields], found)
        try:
            _check_objection(notice, name=name, contact=contact, facts=facts, now=now)
        except PublicityError:
            pass
        else:
            return notice
    notice = _notice_of_entry(entry_id, notice_id, lock=False)
    _check_objection(notice, name=name, contact=contact, facts=facts, now=now)
    return notice


def _check_objection(notice: Notice, *, name: str, contact: str, facts: str, now: dt.datetime) -> None:
    """The rules of an objection (DESIGN §4: real-name, specific, only inside the window)."""
    if not notice.is_open_at(now):
        if now < notice.opens_at:
            raise PublicityError("公示尚未开始，暂不受理异议。", code="window")
        raise PublicityError(f"公示已于{cn_date(notice.last_day)}24时截止，不再受理异议。", code="window")
    if not name.strip() or not contact.strip():
        raise PublicityError("异议须实名提出：请填写姓名和联系方式。", code="real_name")
    if len(facts.strip()) < 10:
        raise PublicityError("请具体写明异议的事实（至少10个字）。", code="facts")


def file_objection(
    *, entry: NoticeEntry | int, name: str, contact: str, facts: str, attachment=None, client: str,
    notice_id: int | None = None, now: dt.datetime | None = None,
) -> Objection:
    """Real-name objection, accepted only inside the window (DESIGN §4: objections only inside it).

    ``entry``: the entry or its id (the public form's, checked here against ``notice_id``).

    On PostgreSQL the notice is read without a lock (or taken as this process read it seconds ago,
    publicity.recent) and the rules checked; then one statement writes
    the objection, its history and its audit row only if the notice is still as read, share-locking
    it before the audit chain's head (audit.recorded.insert_recorded). Outside a caller's transaction
    that statement is its own: the head is held for the statement alone, never across a round trip
    to this process (issue 8: the surge the morning a notice opens). If the notice changed in
    between, or the chain has no head yet, the filing goes again under the notice's lock.
    """
    now = now or timezone.now()
    entry_id = entry if isinstance(entry, int) else entry.pk
    values = {"name": name, "contact": contact, "facts": facts, "attachment": attachment}
    if connection.vendor == "postgresql":
        notice = _checked_notice(entry_id, notice_id, name=name, contact=contact, facts=facts, now=now)
        check_rate(client)
        objection = _new_objection(notice, entry, **values)
        guard, params = _still_as_read(notice, entry_id)
        if insert_recorded(objection, Action.STATE_CHANGE, guard=guard, guard_params=params, **_audit_of(objection)):
            return objection
        return _file_locked(entry, notice_id, rate_counted=True, client=client, now=now, **values)
    return _file_locked(entry, notice_id, rate_counted=False, client=client, now=now, **values)


@transaction.atomic
def _file_locked(
    entry: NoticeEntry | int, notice_id: int | None, *, rate_counted: bool, client: str, name: str, contact: str,
    facts: str, attachment, now: dt.datetime,
) -> Objection:
    """The filing with the notice locked for the whole transaction: the objection and its audit row
    commit together (audit.recorded.create_recorded)."""
    entry_id = entry if isinstance(entry, int) else entry.pk
    notice = _notice_of_entry(entry_id, notice_id, lock=True)
    _check_objection(notice, name=name, contact=contact, facts=facts, now=now)
    if not rate_counted:
        check_rate(client)
    objection = _new_objection(notice, entry, name=name, contact=contact, facts=facts, attachment=attachment)
    return create_recorded(objection, Action.STATE_CHANGE, **_audit_of(objection))


def _new_objection(notice: Notice, entry: NoticeEntry | int, *, name, contact, facts, attachment) -> Objection:
    objection = Objection(
        notice=notice, entry_id=entry if isinstance(entry, int) else entry.pk, objector_name=name.strip(),
        objector_contact=contact.strip(), facts=facts.strip(), attachment=attachment or "",
    )
    if not isinstance(entry, int):
        objection.entry = entry
    return objection


def _audit_of(objection: Objection) -> dict:
    # The objector's name and contact stay out of the trail; the receipt code finds the objection.
    # Written with the objection, not after it: no objection is filed without its audit row.
    # The staff are told by the next sweep (publicity.tasks.tell_staff_of_objections), not by a task per filing.
    return {
        "object_repr": f"异议{objection.receipt_code}", "username": "公众（实名异议人）",
        "detail": {"变更": "受理异议", "公示": objection.notice_id},
    }


@transaction.atomic
def assign_objection(objection: Objection, *, to: User, actor: User) -> Objection:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_open:
        raise PublicityError("该异议已办结。", code="state")
    objection.assigned_to = to
    objection.status = Objection.Status.INVESTIGATING
    objection._change_reason = f"分派核查：{to.display_name}"
    objection.save(update_fields=["assigned_to", "status"])
    _audit_objection(objection, actor, "分派核查", 核查人=to.get_username())
    return objection


@transaction.atomic
def record_investigation(objection: Objection, *, text: str, actor: User) -> Objection:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_open:
        raise PublicityError("该异议已办结，核查情况不能再修改。", code="state")
    if not text.strip():
        raise PublicityError("请填写核查情况。", code="text")
    objection.investigation = text.strip()
    objection.status = Objection.Status.INVESTIGATING
    objection._change_reason = "记录核查情况"
    objection.save(update_fields=["investigation", "status"])
    _audit_objection(objection, actor, "记录核查情况")
    return objection


@transaction.atomic
def conclude_objection(objection: Objection, *, upheld: bool, conclusion: str, public_reply: str, actor: User) -> Objection:
    """The responsible level concludes; the outcome follows the seeds.

    Upheld on a unit notice: the nomination is cancelled (重庆 四(一) 公示无异议后方可报送). Upheld on the
    final list: the award is cancelled, no backfill (重庆 四(四) 不予递补) — the reviews stage reads it.
    Not upheld after the window closed: the chain moves on.
    """
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    objection = Objection.objects.select_for_update(of=("self",)).select_related("notice", "entry__nomination").get(pk=objection.pk)
    if not objection.is_open:
        raise PublicityError("该异议已办结。", code="state")
    if not objection.investigation.strip():
        raise PublicityError("请先记录核查情况，再作出结论。", code="investigation")
    if not conclusion.strip() or not public_reply.strip():
        raise PublicityError("请填写处理意见和给异议人的答复。", code="conclusion")
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.NOT_UPHELD
    objection.conclusion = conclusion.strip()
    objection.public_reply = public_reply.strip()
    objection.concluded_by = actor
    objection.concluded_at = timezone.now()
    objection._change_reason = "办结：" + objection.get_status_display()
    objection.save()
    _audit_objection(objection, actor, "异议办结", 结论=objection.status)
    nom = objection.entry.nomination
    notice = objection.notice
    if upheld and notice.scope in (Scope.DISTRICT, Scope.FINAL):
        nomination_services.cancel_nomination(
            nom, reason=f"{notice.get_scope_display()}期间异议经核实成立（回执码 {objection.receipt_code}），不予递补",
            actor=actor, forfeits_slot=notice.scope == Scope.FINAL,
        )
    if notice.scope == Scope.UNIT and notice.status == Notice.Status.CLOSED and not _in_running_unit_notice(nom.pk):
        nomination_services.after_unit_window(nom, actor=actor)
    transaction.on_commit(bump_public_version)
    return objection


@transaction.atomic
def inform_objector(objection: Objection, *, actor: User) -> Objection:
    check_business_actor(actor)  # 三员分立 (orgs/duties.py)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.is_open:
        raise PublicityError("异议办结后方可告知异议人。", code="state")
    objection.informed_at = timezone.now()
    objection._change_reason = "已告知异议人"
    objection.save(update_fields=["informed_at"])
    _audit_objection(objection, actor, "告知异议人")
    return objection


def _audit_objection(objection: Objection, actor: User, change: str, **more) -> None:
    record_on_commit(
        Action.STATE_CHANGE, obj=objection, object_repr=f"异议{objection.receipt_code}", user=actor,
        detail={"变更": change, **more},
    )

