"""The authentication rules of 等保2.0 第三级 (身份鉴别), each in one place.

- Second factor: a session is a staff session only once a TOTP code was accepted in it
  (``is_verified``); until then every staff URL leads to the 2FA pages (accounts.middleware).
- Passwords expire after ``PASSWORD_MAX_AGE_DAYS`` (90): then every staff URL leads to the
  password change page.
- Sessions: ``SESSION_COOKIE_AGE`` idle (renewed on each request) and at most
  ``SESSION_ABSOLUTE_SECONDS`` from the login, whatever the activity.
- Logout, password change and a second-factor reset end every session of the user (the security
  stamp mixed into the session hash, orgs.User._get_session_auth_hash).
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

VERIFIED_KEY = "accounts.verified_at"
STARTED_KEY = "accounts.started_at"


def mark_started(session) -> None:
    session[STARTED_KEY] = int(time.time())
    session.pop(VERIFIED_KEY, None)


def mark_verified(session) -> None:
    session[VERIFIED_KEY] = int(time.time())


def is_verified(session) -> bool:
    return bool(session.get(VERIFIED_KEY))


def past_absolute_limit(session) -> bool:
    """True when the login is older than the absolute maximum (or predates this rule)."""
    started = session.get(STARTED_KEY)
    return started is None or time.time() - started >= settings.SESSION_ABSOLUTE_SECONDS


def password_expired(user) -> bool:
    changed = user.password_changed_at
    return changed is None or timezone.now() - changed >= dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def end_all_sessions(user) -> None:
    """Every session of ``user`` stops matching; a request's own session must be re-hashed or ended."""
    user.rotate_security_stamp()
    # update(), not save(): no history row and no other field written back.
    get_user_model().objects.filter(pk=user.pk).update(security_stamp=user.security_stamp)
