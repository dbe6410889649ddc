"""Security headers the SecurityMiddleware does not send, and the request rate limits.

等保2.0 三级 (GB/T 22239-2019 8.1.4): pages run only the site's own scripts (CSP, no inline script),
and login and the public objection form are rate-limited per client address (login also per
username) with counters shared by every worker process (core.ratelimit).
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from . import ratelimit
from .net import client_address

# No inline script, style, handler or eval; nothing from another origin; no framing (DESIGN §security).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort")
)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    Referrer-Policy, X-Content-Type-Options and Cross-Origin-Opener-Policy come from Django's
    SecurityMiddleware (SECURE_REFERRER_POLICY, SECURE_CONTENT_TYPE_NOSNIFF, SECURE_CROSS_ORIGIN_OPENER_POLICY).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _limits() -> dict[str, dict[str, ratelimit.Limit]]:
    """{view name: {subject kind: Limit}} from settings.RATE_LIMITS."""
    return {
        view: {kind: ratelimit.Limit(f"{view}:{kind}", limit, window) for kind, (limit, window) in kinds.items()}
        for view, kinds in settings.RATE_LIMITS.items()
    }


class RateLimitMiddleware:
    """Refuses a POST to a limited view with 429 once its client (or username) is over the limit.

    Runs before the CSRF check and the view, so every attempt counts, valid or not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        limits = _limits().get(request.resolver_match.view_name)
        if not limits:
            return None
        subjects = {"address": client_address(request)}
        if "username" in limits:
            subjects["username"] = request.POST.get("username", "").strip().lower()
        for kind, limit in limits.items():
            count = ratelimit.hit(limit, subjects[kind])
            if count > limit.limit:
                if count == limit.limit + 1:  # once per window, not once per refused request
                    from audit.log import Action, Outcome, record

                    record(Action.SECURITY, request=request, outcome=Outcome.DENIED,
                           detail={"event": "rate_limited", "view": request.resolver_match.view_name, "by": kind})
                return too_many_requests(request, limit)
        return None


def too_many_requests(request, limit: ratelimit.Limit):
    response = render(request, "429.html", {"minutes": max(1, round(limit.window_seconds / 60))}, status=429)
    response["Retry-After"] = str(limit.window_seconds)
    return response
