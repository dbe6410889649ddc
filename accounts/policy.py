"""The authentication rules of 等保2.0 第三级 (身份鉴别), each in one place.

The numbers come from the security administrator's policy (orgs.policy.current_policy(): the
SecurityPolicy row, each empty field from settings).

- Second factor: a session is a staff session only once a TOTP code was accepted in it
  (``is_verified``); until then every staff URL leads to the 2FA pages (accounts.middleware).
- Passwords expire after the policy's ``password_max_age_days`` (settings PASSWORD_MAX_AGE_DAYS,
  90; 0: never): then every staff URL leads to the password change page.
- Sessions end after the policy's ``session_idle_minutes`` without a request (the last request's
  time is kept in the session; SESSION_COOKIE_AGE, renewed on each request, is the outer bound and
  the longest idle time the policy may set) and at most ``SESSION_ABSOLUTE_SECONDS`` from the login.
- At most the policy's ``max_sessions_per_user`` completed logins per account: the next login
  ends the oldest (accounts.sessions).
- Logout, password change and a second-factor reset end every session of the user (the security
  stamp mixed into the session hash, orgs.User._get_session_auth_hash).
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from orgs.policy import Policy, current_policy

from .backends import user_changed

VERIFIED_KEY = "accounts.verified_at"
STARTED_KEY = "accounts.started_at"
LAST_SEEN_KEY = "accounts.last_seen"


def mark_started(session) -> None:
    now = int(time.time())
    session[STARTED_KEY] = now
    session[LAST_SEEN_KEY] = now
    session.pop(VERIFIED_KEY, None)


def mark_verified(session) -> None:
    session[VERIFIED_KEY] = int(time.time())


def is_verified(session) -> bool:
    return bool(session.get(VERIFIED_KEY))


def past_absolute_limit(session) -> bool:
    """True when the login is older than the absolute maximum (or predates this rule)."""
    started = session.get(STARTED_KEY)
    return started is None or time.time() - started >= settings.SESSION_ABSOLUTE_SECONDS


def idle_seconds(policy: Policy) -> int:
    """The policy's idle time, never beyond the session cookie's age (the form refuses more, but
    SESSION_IDLE_SECONDS may have been lowered since the policy was saved)."""
    return min(policy.session_idle_minutes * 60, int(settings.SESSION_COOKIE_AGE))


def past_idle_limit(session, policy: Policy) -> bool:
    """True when the last request is older than the idle time. A session without the mark (from
    before this rule) gets it on this request; the cookie age still bounds it."""
    seen = session.get(LAST_SEEN_KEY)
    return seen is not None and time.time() - seen >= idle_seconds(policy)


def mark_seen(session) -> None:
    """Record the request's time, written only when the last mark is SESSION_SEEN_REFRESH_SECONDS old.

    The one place the idle clock and the session's expiry are renewed (SESSION_SAVE_EVERY_REQUEST is
    off): writing the mark saves the session, which moves its expiry on by SESSION_COOKIE_AGE. Between
    two writes the idle time is counted from the older mark, so a session ends at most that many
    seconds before the idle limit after its last request, never after it.
    """
    now = int(time.time())
    seen = session.get(LAST_SEEN_KEY)
    if seen is None or now - seen >= settings.SESSION_SEEN_REFRESH_SECONDS:
        session[LAST_SEEN_KEY] = now


def password_expired(user, *, request=None) -> bool:
    days = current_policy(request).password_max_age_days
    if not days:  # 0: passwords never expire
        return False
    changed = user.password_changed_at
    return changed is None or timezone.now() - changed >= dt.timedelta(days=days)


def end_all_sessions(user) -> None:
    """Every session of ``user`` stops matching; a request's own session must be re-hashed or ended."""
    user.rotate_security_stamp()
    # update(), not save(): no history row and no other field written back.
    get_user_model().objects.filter(pk=user.pk).update(security_stamp=user.security_stamp)
    user_changed(user.pk)  # update() sends no signal: the cached copy of the user goes by hand
