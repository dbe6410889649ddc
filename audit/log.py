"""``record()``: the one way anything writes to the audit trail.

    from audit.log import record
    record(Action.DOWNLOAD, request=request, obj=nomination, detail={"form": "approval"})

Time, user, role, client address and the hash chain are filled in here. Without ``request`` the
request being served is used (simple-history's middleware keeps it), so a service called from a
view still records the client address.

Services record with ``record_on_commit``: the row is written once their transaction has committed
(a change rolled back leaves no row), and the chain head is never locked while a service holds
its own row locks, so two services cannot deadlock on it.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils import timezone

from .chain import payload_text, row_hash
from .models import Action, AuditEvent, ChainHead, Outcome

__all__ = ["Action", "Outcome", "record", "record_on_commit", "event_values", "client_ip", "current_request", "SYSTEM"]

logger = logging.getLogger(__name__)
# The name recorded for changes made by no person (a scheduled task, a management command).
SYSTEM = "系统"


def current_request():
    """The request this thread is serving, if any (set by simple-history's HistoryRequestMiddleware)."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def client_ip(request) -> str:
    if request is None:
        return ""
    from core.net import client_address

    return client_address(request)[:45]


def _role_label(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    from orgs.permissions import active_roles

    return ",".join(sorted({a.role for a in active_roles(user)}))[:60]


def record(
    action: str,
    *,
    request=None,
    user=None,
    obj=None,
    outcome: str = Outcome.SUCCESS,
    detail: dict | None = None,
    username: str = "",
    role: str | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    values = event_values(
        action, request=request, user=user, obj=obj, outcome=outcome, detail=detail, username=username,
        role=role, object_type=object_type, object_id=object_id, object_repr=object_repr,
    )
    # Inside a caller's transaction, no savepoint of its own (two statements fewer on every audited
    # write): the row and the change it records commit or fail together.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            event = _append_in_one_statement(values)
            if event is not None:
                return event
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        digest = row_hash(head.last_hash, values)
        event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, **values)
        ChainHead.objects.filter(pk=1).update(last_hash=digest, count=head.count + 1)
    return event


def event_values(
    action: str,
    *,
    request=None,
    user=None,
    obj=None,
    outcome: str = Outcome.SUCCESS,
    detail: dict | None = None,
    username: str = "",
    role: str | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> dict:
    """The row ``record`` writes, before the chain: time, user, role, client address filled in."""
    if request is None:
        request = current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        object_repr = object_repr or str(obj)
    return {
        "at": timezone.now(),
        "user_id_value": user.pk if user is not None else None,
        "username": (user.get_username() if user is not None else username or SYSTEM)[:150],
        "role": role if role is not None else _role_label(user),
        "action": str(action),
        "object_type": object_type[:80],
        "object_id": str(object_id)[:64],
        "object_repr": object_repr[:200],
        "outcome": str(outcome),
        "client_ip": client_ip(request),
        "detail": detail or {},
    }


def chain_append(columns: list[str], values: str, hashed: str, *, sources: str = "head") -> str:
    """The CTEs ``event`` (a row inserted, hashed onto the head) and ``moved`` (the head moved on to it).

    Follows a CTE ``head`` (``locked_head``). ``columns``: the audit columns given by ``values`` (SQL,
    over ``sources``); ``hashed``: the SQL of the text hashed after the head's hash, as ``row_hash``
    hashes it (``verify`` checks it). ``event`` returns the row's id, prev_hash and hash.
    """
    head_table, event_table = ChainHead._meta.db_table, AuditEvent._meta.db_table
    quote = connection.ops.quote_name
    return f"""
        event AS (
            INSERT INTO {event_table} ({", ".join(quote(c) for c in columns)}, prev_hash, hash)
            SELECT {values}, head.last_hash, encode(sha256(convert_to(head.last_hash || {hashed}, 'UTF8')), 'hex')
            FROM {sources}
            RETURNING id, prev_hash, hash
        ),
        moved AS (
            UPDATE {head_table} SET last_hash = event.hash, count = {head_table}.count + 1
            FROM event WHERE {head_table}.id = 1
        )"""


def locked_head(guard: str = "") -> str:
    """The CTE ``head``: the chain head, locked; no row when there is none yet or ``guard`` (SQL) is false.

    A guard that locks rows of its own (``EXISTS (… FOR SHARE)``) takes them before the head.
    """
    condition = f" AND {guard}" if guard else ""
    return f"head AS (SELECT last_hash FROM {ChainHead._meta.db_table} WHERE id = 1{condition} FOR UPDATE)"


def _append_in_one_statement(values: dict) -> AuditEvent | None:
    """Lock the chain head, insert the row hashed onto it and move the head on, in one statement.

    Every writer waits for the head, so the time it is held bounds the rate of audited writes (the
    public objection form on the morning a notice opens): one round trip, with no Python in between,
    instead of three. None when there is no head yet: the first row goes the ORM way, which creates it.
    """
    fields = [AuditEvent._meta.get_field(name) for name in values]
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    sql = f"""
        WITH {locked_head()},
        {chain_append([f.column for f in fields], ", ".join(["%s"] * len(params)), "%s")}
        SELECT id, prev_hash, hash FROM event
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, payload_text(values)])
        found = cursor.fetchone()
    if found is None:
        return None
    event = AuditEvent(id=found[0], prev_hash=found[1], hash=found[2], **values)
    event._state.adding = False
    return event


def record_on_commit(action: str, *, obj=None, user=None, **kwargs) -> None:
    """``record`` once the current transaction commits (at once outside one).

    The object, user and request are read now, so the row says what was true when the change was made.
    """
    if obj is not None:
        kwargs.setdefault("object_type", f"{obj._meta.app_label}.{obj._meta.model_name}")
        kwargs.setdefault("object_id", str(obj.pk))
        kwargs.setdefault("object_repr", str(obj))
    request = kwargs.pop("request", None) or current_request()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and kwargs.get("role") is None:
        kwargs["role"] = _role_label(user)

    def write():
        try:
            record(action, request=request, user=user, **kwargs)
        except Exception:
            # The change itself has committed: an error page would invite a repeat. Say loudly instead.
            logger.exception("审计记录写入失败：%s %s", action, kwargs.get("object_repr", ""))

    transaction.on_commit(write)
