"""The security policy in force: the security administrator's row, each empty field from settings.

    from orgs.policy import current_policy
    current_policy().lockout_limit

GB/T 22239-2019 第三级 8.1.4.1 身份鉴别 (login failure handling, session timeout, password change)
and 8.1.5.3 安全管理 (the security administrator sets the policy). The mechanisms read it here.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class Policy:
    lockout_limit: int  # failed logins in a row before the account is locked
    cooloff_minutes: int  # how long the lock lasts
    password_max_age_days: int  # 0: no limit
    session_idle_minutes: int
    max_sessions_per_user: int  # 0: no limit

    @property
    def cooloff(self) -> timedelta:
        return timedelta(minutes=self.cooloff_minutes)


def settings_policy() -> Policy:
    """What settings (and the environment behind them) say: the fallback for every empty field."""
    cooloff = settings.LOGIN_COOLOFF
    return Policy(
        lockout_limit=int(settings.LOGIN_FAILURE_LIMIT),
        # Whole minutes, at least one (the policy's unit; a zero cool-off would mean no lockout).
        cooloff_minutes=max(1, round((cooloff.total_seconds() if isinstance(cooloff, timedelta) else cooloff * 60) / 60)),
        password_max_age_days=int(settings.PASSWORD_MAX_AGE_DAYS),
        session_idle_minutes=max_idle_minutes(),
        max_sessions_per_user=int(settings.MAX_SESSIONS_PER_USER),
    )


def max_idle_minutes() -> int:
    """The session cookie's age bounds the idle time: a longer policy could not keep the cookie alive."""
    return max(1, int(settings.SESSION_COOKIE_AGE) // 60)


_REQUEST_ATTR = "_security_policy"


def current_policy(request=None) -> Policy:
    """The policy in force now: at most once per request when ``request`` is given.

    Cached across requests in the shared cache under the AUTHZ version (core.versions), which every
    save of the SecurityPolicy row moves on, so a change on /security/policy/ applies from the next
    request in every process; the row is read again once per change.
    """
    if request is not None:
        cached = getattr(request, _REQUEST_ATTR, None)
        if cached is not None:
            return cached
    from core import localcache
    from core.versions import AUTHZ, version

    base = settings_policy()  # in the key: a change of the environment's values counts as a change
    key = f"{settings.APP_CACHE_PREFIX}policy:{version(AUTHZ)}:" + ",".join(str(v) for v in astuple(base))
    policy = localcache.get_object(key)  # a copy in this process too: the key names the version
    if policy is None:
        policy = _read_policy(base)
        localcache.put_object(key, policy, 3600)
    if request is not None:
        setattr(request, _REQUEST_ATTR, policy)
    return policy


def _read_policy(base: Policy) -> Policy:
    from .models import SecurityPolicy

    row = SecurityPolicy.objects.filter(pk=1).first()
    if row is None:
        return base
    values = {}
    for f in fields(Policy):
        value = getattr(row, f.name)
        values[f.name] = getattr(base, f.name) if value is None else value
    return Policy(**values)


def forget_policy(request) -> None:
    """After the policy changed within ``request`` (the security administrator saved it)."""
    if request is not None and hasattr(request, _REQUEST_ATTR):
        delattr(request, _REQUEST_ATTR)


# django-axes asks these (settings.AXES_FAILURE_LIMIT / AXES_COOLOFF_TIME point here), so the lockout
# follows the security administrator's policy; the raw numbers are LOGIN_FAILURE_LIMIT / LOGIN_COOLOFF.
def axes_failure_limit(request, credentials) -> int:
    return current_policy(request).lockout_limit


def axes_cooloff(request) -> timedelta:
    return current_policy(request).cooloff
