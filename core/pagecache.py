"""Staff pages rendered once per viewer and data version, served from the shared cache until a write.

A decorated view's GET response is kept under a key made of the viewer (the user: never broader than
their scope and roles), the path with its query string, the language, the DATA and AUTHZ versions
(core.versions: every save of the business data, a reminder, a grant or the policy moves them on) and
the minute (pages show deadlines and open stages, which move with the clock). Kept per user, not per
organisation: the header names the user and counts their reminders.

Never cached: the CSRF token. Each token of the request's CSRF secret in the rendered page is replaced
by a placeholder before it is stored, and by a token of the viewer's own secret when it is served, so
a page never carries another browser's token. Not cached either: any non-GET request, a response
other than a 200 HTML page, and a request with a message to show (the page after a redirect).
"""

from __future__ import annotations

import hashlib
import re
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils.translation import get_language

from . import localcache
from .versions import AUTHZ, DATA, versions

PLACEHOLDER = b"@@csrf-token-placeholder@@"
RENDER_WAIT_SECONDS = 2
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def page_key(request) -> str:
    v = versions(DATA, AUTHZ)
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return (f"{settings.APP_CACHE_PREFIX}page:{request.user.pk}:{get_language()}:{v[DATA]}:{v[AUTHZ]}:"
            f"{int(time.time() // 60)}:{path}")


def _has_messages(request) -> bool:
    storage = get_messages(request)
    return bool(getattr(storage, "_queued_messages", None)) or bool(list(storage))


def _without_token(request, body: bytes) -> bytes | None:
    secret = request.META.get("CSRF_COOKIE")

    def swap(match):
        token = match.group(1).decode()
        if secret and _unmask_cipher_token(token) == secret:
            return match.group(0).replace(match.group(1), PLACEHOLDER)
        raise ValueError("a token of another secret")

    try:
        return TOKEN.sub(swap, body)
    except ValueError:
        return None


def _cached_or_wait(key: str) -> bytes | None:
    """The page, or None for the one request that renders it. When a version moves on, every client
    of the page misses at once; the others wait for that one rendering (a short while, then render
    themselves) rather than all render the same page together."""
    body = localcache.get(key)
    if body is not None or cache.add(f"{key}:rendering", 1, RENDER_WAIT_SECONDS):
        return body
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        body = localcache.get(key)
        if body is not None:
            return body
    return None


def cached_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.STAFF_PAGE_CACHE_SECONDS
        if not seconds or request.method != "GET" or not request.user.is_authenticated or _has_messages(request):
            return view(request, *args, **kwargs)
        key = page_key(request)
        body = _cached_or_wait(key)
        if body is not None:
            return HttpResponse(body.replace(PLACEHOLDER, get_token(request).encode()))
        try:
            response = view(request, *args, **kwargs)
            if (response.status_code == 200 and not response.streaming and not response.cookies
                    and response.get("Content-Type", "").startswith("text/html")):
                stored = _without_token(request, response.content)
                if stored is not None:
                    localcache.put(key, stored, seconds)
        finally:
            cache.delete(f"{key}:rendering")
        return response

    return wrapper
