"""The client's address, for rate limits and the audit trail."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """The sender's address; behind N trusted proxies, the N-th address from the right of X-Forwarded-For."""
    proxies = int(getattr(settings, "PUBLICITY_TRUSTED_PROXIES", 0))
    if proxies:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR", "")
