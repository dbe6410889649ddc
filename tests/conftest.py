"""Shared fixtures: the reference tree, the three presets, the demo and logged-in clients.

Every test runs on the real database (``django_db``). The demo data (calendar, reference tree,
presets, live campaign, demo logins) is loaded once into the test database when it is created;
each test runs inside a transaction that is rolled back, so it sees the same data. A
transactional test (browser, worker, concurrency) flushes the database at its end, which also
removes the calendar the migrations seeded; the next database test loads everything again
(``_data_after_flush``). Axes keeps its failure counts in the database, so the rollback at the
end of each test clears any lockout.

``presets`` and ``demo`` return what the session loaded.
"""

from __future__ import annotations

import sqlite3

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from guardian.shortcuts import clear_ct_cache

from accounts.policy import mark_verified
from awards.models import Campaign
from core.demo import load_demo
from orgs.models import User
from orgs.reference import load_reference_tree

PRESET_SLUGS = ("cq-2023", "national-2021", "tj-2022")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_demo_logins: list = []


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a completed login: password AND second factor.

    Without it every staff URL would send the test client to the TOTP pages (accounts.middleware).
    Tests of the login form itself post to /login/ and go through the TOTP step (tests/totp.py).
    """
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        mark_verified(session)
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def _snapshot_path():
    from django.conf import settings

    return settings.VAR_DIR / "test-demo-snapshot.sqlite3"


def _take_snapshot() -> None:
    """On SQLite, copy the freshly loaded test database aside (the online backup API, ~0.1 s)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    connection.ensure_connection()
    target = sqlite3.connect(_snapshot_path())
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _restore_snapshot() -> bool:
    """After a transactional test flushed the tables, put the demo back from the snapshot: the same
    rows and ids as the first load, in a fraction of a second instead of ``load_demo()``'s seconds."""
    path = _snapshot_path()
    if connection.vendor != "sqlite" or connection.in_atomic_block or not path.exists():
        return False
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    # The flush's post_migrate made content types with new ids, and the process cached them
    # (Django's cache and guardian's, which post_migrate clears but a restore does not).
    ContentType.objects.clear_cache()
    clear_ct_cache()
    return True


def _ensure_demo() -> list:
    """Load the demo unless it is there; return its logins."""
    from core.demo import LIVE_SLUG

    if not _demo_logins or not Campaign.objects.filter(slug=LIVE_SLUG).exists():
        if _demo_logins and _restore_snapshot():
            return list(_demo_logins)
        _demo_logins[:] = load_demo()  # real hashers: browser tests log in with the demo password
        _take_snapshot()
    return list(_demo_logins)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_demo()


@pytest.fixture(autouse=True)
def _data_after_flush(request):
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in names or "live_server" in names or bool(marker and marker.kwargs.get("transaction"))
    if transactional:
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        return
    _ensure_demo()


@pytest.fixture(autouse=True)
def _own_rate_counters_and_caches(settings, request):
    """Every test starts with fresh rate-limit counters (core.ratelimit): 127.0.0.1 logs in all day."""
    import uuid

    settings.RATE_LIMIT_PREFIX = uuid.uuid4().hex[:12]
    # And its own cached policy, roles and page fragments (core.versions): its rows are rolled back.
    settings.APP_CACHE_PREFIX = uuid.uuid4().hex[:12]
    # Nor any page another test left in this process (core.localcache).
    from core import localcache
    from publicity.recent import recent_notices

    localcache.copies.clear()
    recent_notices.clear()  # nor a notice read for another test's filing (its ids come round again)
    # Page tests read response.context, which a page served from the cache has not: the staff page
    # cache is off but in its own tests (tests/nominations/test_page_cache.py) and in the browser
    # tests, which see the pages as users do (a stale page after an action would fail them).
    if "live_server" not in request.fixturenames:
        settings.STAFF_PAGE_CACHE_SECONDS = 0
    # The session is written when its last mark is this old (accounts.policy.mark_seen; 60 s in
    # settings): long enough here that a query count never depends on how long a test's setup took.
    # The tests of the renewal set 60 (tests/accounts/test_sessions.py and its neighbours).
    settings.SESSION_SEEN_REFRESH_SECONDS = 600


@pytest.fixture
def fast_password_hasher(settings):
    """Cheap hashing for the passwords a test sets (PBKDF2 at full strength costs ~0.5 s each).

    Not autouse: tests that hand a password to another process must keep the real hashers.
    """
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def tree(db):
    """orgs.reference.load_reference_tree(), fresh objects for each test."""
    return load_reference_tree()


@pytest.fixture
def presets(db):
    """The three campaigns as in their seeds: {slug: campaign}."""
    _ensure_demo()
    return {c.slug: c for c in Campaign.objects.filter(slug__in=PRESET_SLUGS)}


@pytest.fixture
def demo(db):
    """The demo data (core.demo.load_demo()); returns its logins as {username: DemoLogin}."""
    return {login.username: login for login in _ensure_demo()}


@pytest.fixture
def demo_logins(_data_after_flush) -> list:
    """The demo's logins as a list, for tests that asked for a database of either kind."""
    return _ensure_demo()


@pytest.fixture
def login(db):
    """``login("office")`` → a test client logged in as that user (no password check)."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make
