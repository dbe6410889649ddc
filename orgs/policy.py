"""The security policy in force: the security administrator's row, each empty field from settings.

    from orgs.policy import current_policy
    current_policy().lockout_limit

GB/T 22239-2019 第三级 8.1.4.1 身份鉴别 (login failure handling, session timeout, password change)
and 8.1.5.3 安全管理 (the security administrator sets the policy). The mechanisms read it here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
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
    cooloff_hours = getattr(settings, "AXES_COOLOFF_TIME", 0.5)
    cooloff_minutes = (
        int(cooloff_hours.total_seconds() // 60) if isinstance(cooloff_hours, timedelta) else round(float(cooloff_hours) * 60)
    )
    limit = getattr(settings, "AXES_FAILURE_LIMIT", 5)
    return Policy(
        lockout_limit=limit if isinstance(limit, int) else 5,
        cooloff_minutes=cooloff_minutes,
        password_max_age_days=int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90)),
        session_idle_minutes=max(1, int(settings.SESSION_COOKIE_AGE) // 60),
        max_sessions_per_user=int(getattr(settings, "MAX_SESSIONS_PER_USER", 0)),
    )


def current_policy() -> Policy:
    """The policy in force now (one query)."""
    from .models import SecurityPolicy

    base = settings_policy()
    row = SecurityPolicy.objects.filter(pk=1).first()
    if row is None:
        return base
    values = {}
    for f in fields(Policy):
        value = getattr(row, f.name)
        values[f.name] = getattr(base, f.name) if value is None else value
    return Policy(**values)


# For django-axes, if its settings point here: AXES_FAILURE_LIMIT = "orgs.policy.axes_failure_limit",
# AXES_COOLOFF_TIME = "orgs.policy.axes_cooloff" (then keep the raw numbers under other names).
def axes_failure_limit(request, credentials) -> int:
    return current_policy().lockout_limit


def axes_cooloff(request) -> timedelta:
    return current_policy().cooloff
