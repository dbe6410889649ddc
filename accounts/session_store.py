"""Sessions in the database, read through the shared cache (SESSION_ENGINE).

The row stays the truth: the absolute and idle limits, the per-account limit (accounts.sessions) and
logout all act on it. A staff page reads the session on every request, so a copy of the row's data is
kept in the cache, tagged with the session's own version (core.versions, ``session:<key>``). Every save
or delete of the row (the store's own, a queryset delete, ``clearsessions``) moves the version on at
the write and again at the commit (signals below), so a copy read from the row before a change is never
served after it. Unlike Django's ``cached_db`` a copy is never written from a save, only from a read
of the row (a save racing another save or a logout could otherwise leave the older data in the
cache), and each copy carries the row's expiry, checked on every read.

A request then costs one cache round trip (the copy and its version together) instead of a query.
A queryset ``update()`` of session rows sends no signal: nothing here does one, and code that must
should bump ``version_name(key)`` itself, or the copy lives on until it expires (SESSION_COOKIE_AGE).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.contrib.sessions.models import Session
from django.core.cache import cache

from core import versions


def version_name(session_key: str) -> str:
    return f"session:{session_key}"


def _copy_key(session_key: str) -> str:
    return f"{settings.APP_CACHE_PREFIX}session:{session_key}"


def version_timeout() -> int:
    # Longer than any session lives: past it the row has expired, whatever the version says.
    return int(settings.SESSION_ABSOLUTE_SECONDS + settings.SESSION_COOKIE_AGE + 3600)


class SessionStore(DBStore):
    def load(self):
        key = self.session_key
        if not key:
            return {}
        name = version_name(key)
        found = cache.get_many([_copy_key(key), versions.key(name)])
        copy, current = found.get(_copy_key(key)), found.get(versions.key(name))
        if current is not None and isinstance(copy, tuple) and len(copy) == 3:
            tagged, expires, data = copy
            if tagged == current and expires > time.time():
                return data
        row = self._get_session_from_db()  # None (and the key dropped) when missing or expired
        if row is None:
            return {}  # and nothing kept for a key that names no session (a made-up cookie)
        data = self.decode(row.session_data)
        if current is None:
            # No version yet: start one, and keep a copy from the next read, whose row is read after it.
            versions.versions(name, timeout=version_timeout())
            return data
        expires = row.expire_date.timestamp()
        seconds = min(expires - time.time(), settings.SESSION_COOKIE_AGE)
        if seconds > 0:
            # Tagged with the version read before the row: a write since then has moved it on.
            cache.set(_copy_key(key), (current, expires, data), seconds)
        return data


def row_changed(sender, instance, **kwargs) -> None:
    """Any save or delete of a session row: copies read before it are not served again."""
    versions.bump(version_name(instance.session_key), timeout=version_timeout())


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(row_changed, sender=Session, dispatch_uid="accounts_session_saved")
    post_delete.connect(row_changed, sender=Session, dispatch_uid="accounts_session_deleted")
