"""Every staff URL needs a session that passed the second factor, is within its absolute limit and the
security policy's idle time, and whose user's password has not expired under the policy
(accounts.policy). Public pages stay open to everyone."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from orgs.policy import current_policy

from .models import TOTPDevice
from .policy import (
    idle_seconds,
    is_verified,
    mark_seen,
    password_expired,
    past_absolute_limit,
    past_idle_limit,
)
from .sessions import forget_session


@cache
def public_prefixes() -> tuple[str, ...]:
    """Paths that never need a login: login/logout, 公示公告, health check, static files."""
    return (
        reverse("login"), reverse("logout"), reverse("public:notice_list"), reverse("healthz"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )  # fmt: skip


@cache
def two_factor_prefix() -> str:
    return reverse("accounts:two_factor")


@cache
def password_paths() -> tuple[str, ...]:
    return reverse("password_change"), reverse("password_change_done")


def is_public(path: str) -> bool:
    return path.startswith(public_prefixes())


def two_factor_url(user, next_path: str) -> str:
    name = "accounts:verify" if TOTPDevice.objects.current().filter(user=user, confirmed_at__isnull=False).exists() else "accounts:enrol"
    return f"{reverse(name)}?{urlencode({'next': next_path})}"


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            path = request.path
            session = request.session
            policy = current_policy(request)  # once per request (orgs.policy), the security administrator's
            ended = None
            if past_absolute_limit(session):
                ended = f"登录已超过 {settings.SESSION_ABSOLUTE_SECONDS / 3600:g} 小时，请重新登录。"
            elif past_idle_limit(session, policy):
                ended = f"已超过 {idle_seconds(policy) / 60:g} 分钟未操作，请重新登录。"
            if ended:
                # Only this session: the user's others keep their own clocks.
                forget_session(session.session_key)
                session.flush()
                request.user = AnonymousUser()
                if not is_public(path):
                    messages.info(request, ended)
                    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            else:
                mark_seen(session)
                if not is_public(path):
                    if not is_verified(session):
                        if not path.startswith(two_factor_prefix()):
                            return redirect(two_factor_url(user, request.get_full_path()))
                    elif password_expired(user, request=request) and path not in password_paths():
                        return redirect(f"{reverse('password_change')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
