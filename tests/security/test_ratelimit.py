"""Rate limits on the login form and the public objection form (in one process; across two
gunicorn workers in test_ratelimit_workers.py), and the counter they rest on."""

from __future__ import annotations

import multiprocessing

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]
# Windows of ten minutes: on a loaded machine twenty logins can take longer than one.


def _login(client, username, **extra):
    return client.post(reverse("login"), {"username": username, "password": "Wrong@2026x"}, **extra)


def test_login_posts_from_one_address_are_limited_per_minute(settings, demo):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": {"address": (20, 600), "username": (1000, 600)}}
    client = Client()
    for i in range(20):
        assert _login(client, f"nobody{i}").status_code == 200
    refused = _login(client, "nobody-else")
    assert refused.status_code == 429
    assert "操作过于频繁" in refused.content.decode() and "请稍后再试" in refused.content.decode()
    assert refused["Retry-After"] == "600"
    # Another address is not affected.
    assert _login(client, "nobody-else", REMOTE_ADDR="10.9.8.7").status_code == 200


def test_login_posts_for_one_username_are_limited_from_any_address(settings, demo):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": {"address": (1000, 600), "username": (10, 600)}}
    client = Client()
    for i in range(10):
        assert _login(client, "Office", REMOTE_ADDR=f"10.0.0.{i}").status_code in (200, 403)
    assert _login(client, " office ", REMOTE_ADDR="10.0.1.1").status_code == 429
    assert _login(client, "auditor", REMOTE_ADDR="10.0.1.1").status_code == 200


def test_the_default_limits_are_twenty_per_address_and_ten_per_username_a_minute(settings):
    assert settings.RATE_LIMITS["login"] == {"address": (20, 60), "username": (10, 60)}
    assert settings.RATE_LIMITS["public:objection"] == {"address": (30, 600)}


def test_a_refused_window_is_audited_once(settings, demo):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": {"address": (2, 600), "username": (1000, 600)}}
    client = Client()
    for i in range(5):
        _login(client, f"nobody{i}")
    events = AuditEvent.objects.filter(action="security")
    assert events.count() == 1
    assert events.get().detail == {"event": "rate_limited", "view": "login", "by": "address"}


def test_a_limit_is_not_applied_to_get(settings, demo):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": {"address": (1, 60), "username": (1, 60)}}
    client = Client()
    for _ in range(3):
        assert client.get(reverse("login")).status_code == 200


def test_objection_posts_from_one_address_are_limited(settings, demo, tmp_path):
    from .worlds import build

    settings.MEDIA_ROOT = str(tmp_path)
    world = build("jlp")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "public:objection": {"address": (3, 600)}}
    client = Client()
    url = reverse("public:objection", args=[world.notice.pk])
    for _ in range(3):
        assert client.post(url, {"facts": "太短"}).status_code == 200  # invalid, but counted
    refused = client.post(url, {"facts": "太短"})
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.content.decode()


# --- the counter ---------------------------------------------------------------------------------


def _hammer(location: str, key: str, times: int, queue) -> None:
    from core.cache import LockedFileBasedCache

    cache = LockedFileBasedCache(location, {})
    for _ in range(times):
        cache.add(key, 0, 60)
        cache.incr(key)
    queue.put(True)


def test_file_cache_counter_is_exact_across_processes(tmp_path):
    """Four processes, 60 increments each: the embedded default's counter ends at exactly 240."""
    from core.cache import LockedFileBasedCache

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_hammer, args=(str(tmp_path), "k", 60, queue)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert LockedFileBasedCache(str(tmp_path), {}).get("k") == 240


def test_file_cache_incr_keeps_the_window(tmp_path):
    import time

    from core.cache import LockedFileBasedCache

    cache = LockedFileBasedCache(str(tmp_path), {})
    cache.add("w", 0, 1)
    cache.incr("w")
    time.sleep(1.1)
    assert cache.get("w") is None  # the increment did not stretch the one-second window
    with pytest.raises(ValueError):
        cache.incr("w")


@pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(), reason="the Redis counter (the integration pass)"
)
def test_the_redis_counter_counts_and_expires_with_its_window():
    import time

    from django.core.cache import caches

    from core.ratelimit import Limit, _key, hit

    subject = f"redis-window-{time.time_ns()}"
    limit = Limit("test-window", 2, 1)
    assert [hit(limit, subject) for _ in range(3)] == [1, 2, 3]
    backend = caches["default"]
    client = backend._cache.get_client(write=True)
    redis_key = backend.make_and_validate_key(_key(limit.name, subject))
    assert 0 < client.pttl(redis_key) <= 1000  # the window started with the first hit
    time.sleep(1.1)
    assert hit(limit, subject) == 1  # a new window

    client.set(redis_key, 7)  # a counter without an expiry is given one, not kept forever
    assert hit(limit, subject) == 8 and 0 < client.pttl(redis_key) <= 1000


@pytest.mark.skipif(
    "redis" not in settings.CACHES["default"]["BACKEND"].lower(), reason="the Redis counter (the integration pass)"
)
def test_the_redis_client_reads_replies_with_hiredis():
    """redis-py parses replies in C when hiredis is installed (pyproject): a fifth less CPU per command."""
    from django.core.cache import caches
    from redis._parsers import _HiredisParser

    client = caches["default"]._cache.get_client(write=True)
    connection = client.connection_pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
    finally:
        client.connection_pool.release(connection)
