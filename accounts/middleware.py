"""Every staff URL needs a session that passed the second factor, is within its absolute limit, and
whose user's password has not expired (accounts.policy). Public pages stay open to everyone."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse

from .models import TOTPDevice
from .policy import is_verified, password_expired, past_absolute_limit


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
            if past_absolute_limit(request.session):
                # Only this session: the user's others keep their own clocks.
                request.session.flush()
                request.user = AnonymousUser()
                if not is_public(path):
                    hours = settings.SESSION_ABSOLUTE_SECONDS / 3600
                    messages.info(request, f"登录已超过 {hours:g} 小时，请重新登录。")
                    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
            elif not is_public(path):
                if not is_verified(request.session):
                    if not path.startswith(two_factor_prefix()):
                        return redirect(two_factor_url(user, request.get_full_path()))
                elif password_expired(user) and path not in password_paths():
                    return redirect(f"{reverse('password_change')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
