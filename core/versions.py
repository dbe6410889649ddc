"""Version stamps in the shared cache: what is cached across requests is keyed by a version that moves
on every change that could affect it, so a change shows on the next request in every process.

- ``AUTHZ``: the security policy, the role grants and the scopes (orgs.policy, orgs.permissions);
- ``DATA``: the business data the staff pages show (core.fragments).

``bump`` moves a version on at once and again when the transaction commits: the first makes the
change visible to the writer's own next read, the second drops anything a concurrent request cached
from the old rows between the two. Signals (core.apps) bump on every save and delete of the models
concerned; the few bulk writes that send no signal bump themselves.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

AUTHZ = "authz"
DATA = "data"


def key(name: str) -> str:
    # APP_CACHE_PREFIX: tests give each test its own (tests/conftest.py), as the database is rolled back.
    return f"{settings.APP_CACHE_PREFIX}v:{name}"


def _fresh() -> int:
    # From the clock, not 1: a version lost from the cache (eviction, restart) never comes back to an old number.
    return int(time.time() * 1000)


# Within a request the versions are read once (core.apps starts and ends the memo with the request):
# a page reads them for the policy, the grants and its own cache key. Outside a request (tasks,
# shell) every read goes to the cache.
_memo = threading.local()


def start_memo(**kwargs) -> None:
    _memo.values = {}


def end_memo(**kwargs) -> None:
    _memo.values = None


def _incr(name: str, timeout: int | None = None) -> None:
    values = getattr(_memo, "values", None)
    if values:
        values.pop(name, None)
    # Both backends (core.cache): atomic, one round trip on Redis.
    cache.incr_or_start(key(name), _fresh(), timeout=timeout)


def _on_commit(name: str, timeout: int | None):
    def bump_on_commit() -> None:
        _incr(name, timeout)

    bump_on_commit.version_name = name
    return bump_on_commit


def bump(name: str, *, timeout: int | None = None) -> None:
    """Move ``name`` on now and when the transaction commits. ``timeout``: the version may be
    forgotten that many seconds after its last move (per-session and per-user versions); a forgotten
    version starts again from the clock, so nothing kept under an old one comes back."""
    _incr(name, timeout)
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Once per transaction, however many rows it writes.
        if not any(getattr(func, "version_name", None) == name for _sids, func, _robust in connection.run_on_commit):
            transaction.on_commit(_on_commit(name, timeout))


# Which saved or deleted models move which version (core.apps connects the signals).
AUTHZ_MODELS = frozenset({
    ("orgs", "roleassignment"), ("orgs", "securitypolicy"), ("orgs", "organisation"),
    ("guardian", "userobjectpermission"), ("guardian", "groupobjectpermission"),
})
DATA_APPS = frozenset({"orgs", "awards", "nominations", "reviews", "publicity", "workdays"})
# The header of every staff page: the reminder count and the failed-task link.
DATA_MODELS = frozenset({("core", "notification"), ("core", "taskfailure")})
# New rows of these move DATA later, once per batch, from the task that makes them known to the staff
# (publicity.tasks.tell_staff_of_objections, every sweep): a surge of public filings does not
# re-render every staff page once per filing. Their changes by staff move it at once as usual.
DATA_LATER_ON_CREATE = frozenset({("publicity", "objection")})


def model_changed(sender, **kwargs) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.model_name.startswith("historical"):
        return
    name = (meta.app_label, meta.model_name)
    if name in AUTHZ_MODELS:
        bump(AUTHZ)
    if kwargs.get("created") and name in DATA_LATER_ON_CREATE:
        return
    if (meta.app_label in DATA_APPS and meta.model_name != "user") or name in DATA_MODELS:
        bump(DATA)


def version(name: str) -> int:
    return versions(name)[name]


def versions(*names: str, timeout: int | None = None) -> dict[str, int]:
    """Several versions in one round trip (none within a request once read). ``timeout`` as for
    ``bump``, for a version started here."""
    memo = getattr(_memo, "values", None)
    if memo is not None and all(n in memo for n in names):
        return {n: memo[n] for n in names}
    # A request reads AUTHZ and DATA with its first read (the user's own version, accounts.backends).
    wanted = tuple(dict.fromkeys((AUTHZ, DATA, *names))) if memo is not None else names
    found = cache.get_many([key(n) for n in wanted])
    out = {}
    for n in wanted:
        value = found.get(key(n))
        if value is None:
            cache.add(key(n), _fresh(), None if n in (AUTHZ, DATA) else timeout)
            value = cache.get(key(n))
        out[n] = value
    if memo is not None:
        memo.update(out)
    return {n: out[n] for n in names}
