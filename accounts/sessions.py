"""The limit on simultaneous logins per account (the security policy's ``max_sessions_per_user``).

GB/T 22239-2019 第三级 8.1.4.1 身份鉴别 / 8.1.5.3: the security administrator bounds the sessions
one account may hold. Each completed login (both factors) is tracked in ``LiveSession``; when it
brings the account above the limit, the oldest live sessions end (their session rows are deleted,
so their next request goes to the login page) and the audit trail says so. Rows whose session has
ended some other way (logout, expiry, password change, idle or absolute limit) are tidied away at
the user's next login.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import transaction
from django.utils.crypto import constant_time_compare

from audit.log import Action, Outcome, record
from orgs.policy import Policy, current_policy

from .models import LiveSession
from .policy import VERIFIED_KEY, past_absolute_limit, past_idle_limit


def _store(session_key: str):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def is_live(user, session_key: str, policy: Policy) -> bool:
    """The session still logs ``user`` in: present, unexpired, both factors, matching the security stamp."""
    data = _store(session_key).load()
    return (
        data.get(SESSION_KEY) == str(user.pk)
        and bool(data.get(VERIFIED_KEY))
        and constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())
        and not past_absolute_limit(data)
        and not past_idle_limit(data, policy)
    )


def register_login(request) -> int:
    """Track the request's session (just verified); end the user's oldest beyond the policy's limit.

    Returns how many sessions were ended.
    """
    user, key = request.user, request.session.session_key
    policy = current_policy(request)
    with transaction.atomic():
        # One login of this user at a time decides which sessions stay (the user row is the lock).
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        LiveSession.objects.get_or_create(session_key=key, defaults={"user": user})
        others = list(LiveSession.objects.filter(user=user).exclude(session_key=key).order_by("-started_at", "-pk"))
        dead = [row for row in others if not is_live(user, row.session_key, policy)]
        live = [row for row in others if row not in dead]
        limit = policy.max_sessions_per_user
        ended = live[limit - 1 :] if limit else []  # newest first: keep limit - 1 others and this one
        for row in ended:
            _store(row.session_key).delete()
        LiveSession.objects.filter(pk__in=[row.pk for row in dead + ended]).delete()
    for row in ended:
        record(
            Action.SECURITY, request=request, obj=user, outcome=Outcome.SUCCESS,
            detail={"event": "session_ended", "reason": "max_sessions", "limit": limit,
                    "started_at": row.started_at.isoformat(timespec="seconds")},
        )  # fmt: skip
    return len(ended)


def forget_session(session_key: str | None) -> None:
    """The session ended (idle, absolute limit): its row goes too."""
    if session_key:
        LiveSession.objects.filter(session_key=session_key).delete()


def forget_user(user) -> None:
    """Every session of ``user`` ended (logout)."""
    LiveSession.objects.filter(user=user).delete()
