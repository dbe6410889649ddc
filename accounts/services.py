"""Recovery of the second factor: a reset revokes the user's device (kept, with who and why) and
ends every session; the user enrols a new device at the next login."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.log import Action, Outcome, record

from .models import TOTPDevice
from .policy import end_all_sessions


@transaction.atomic
def reset_totp(user, *, reason: str, actor=None, request=None) -> int:
    """Revoke ``user``'s device(s); return how many. Recorded in the audit trail."""
    reason = (reason or "").strip()[:200] or "未说明"
    revoked = TOTPDevice.objects.current().filter(user=user).update(
        revoked_at=timezone.now(), revoked_by=actor, revoke_reason=reason
    )
    end_all_sessions(user)
    record(
        Action.SECURITY, request=request, user=actor, obj=user, outcome=Outcome.SUCCESS,
        username="" if actor else "manage.py", detail={"event": "totp_reset", "devices": revoked, "reason": reason},
    )  # fmt: skip
    return revoked
