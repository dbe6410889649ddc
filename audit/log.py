"""``record()``: the one way anything writes to the audit trail.

    from audit.log import record
    record(Action.DOWNLOAD, request=request, obj=nomination, detail={"form": "approval"})

Time, user, role, client address and the hash chain are filled in here.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .chain import row_hash
from .models import Action, AuditEvent, ChainHead, Outcome

__all__ = ["Action", "Outcome", "record", "client_ip"]


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
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    values = {
        "at": timezone.now(),
        "user_id_value": user.pk if user is not None else None,
        "username": (user.get_username() if user is not None else username)[:150],
        "role": role if role is not None else _role_label(user),
        "action": str(action),
        "object_type": object_type[:80],
        "object_id": str(object_id)[:64],
        "object_repr": object_repr[:200],
        "outcome": str(outcome),
        "client_ip": client_ip(request),
        "detail": detail or {},
    }
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        digest = row_hash(head.last_hash, values)
        event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, **values)
        ChainHead.objects.filter(pk=1).update(last_hash=digest, count=head.count + 1)
    return event
