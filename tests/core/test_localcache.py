"""core.localcache: a process's copy of cached pages, bounded, expiring with the shared entry."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from core import localcache


@pytest.fixture
def copies(settings):
    settings.LOCAL_PAGE_CACHE_BYTES = 4000
    localcache.copies.clear()
    yield localcache.copies
    localcache.copies.clear()


def test_a_page_put_is_served_from_the_copy_then_from_the_shared_cache(copies):
    localcache.put("t:page:1", b"<p>one</p>", 60)
    assert localcache.get("t:page:1") == b"<p>one</p>"
    cache.set("t:page:1", (time.time() + 60, b"changed in the shared cache"), 60)
    assert localcache.get("t:page:1") == b"<p>one</p>"  # the copy: no fetch
    copies.clear()  # another process: only the shared cache has it
    assert localcache.get("t:page:1") == b"changed in the shared cache"
    assert len(copies) == 1  # and now it has a copy too


def test_a_copy_expires_with_the_shared_entry(copies):
    localcache.put("t:page:2", b"soon gone", 0.05)
    assert localcache.get("t:page:2") == b"soon gone"
    time.sleep(0.1)
    assert copies.get("t:page:2") is None
    assert localcache.get("t:page:2") is None


def test_an_expired_shared_entry_is_not_served(copies):
    cache.set("t:page:3", (time.time() - 1, b"stale"), 60)
    assert localcache.get("t:page:3") is None
    assert len(copies) == 0


def test_the_copies_keep_under_the_byte_limit_least_recent_out(copies):
    for n in range(8):
        localcache.put(f"t:page:lru{n}", bytes([65 + n]) * 900, 60)
        localcache.get("t:page:lru0")  # kept in use
    assert copies._bytes <= 4000
    assert copies.get("t:page:lru0") is not None
    assert copies.get("t:page:lru1") is None  # least recently used
    assert copies.get("t:page:lru7") is not None
    localcache.put("t:page:big", b"x" * 1500, 60)  # over a quarter of the limit: shared cache only
    assert copies.get("t:page:big") is None
    assert localcache.get("t:page:big") == b"x" * 1500
    assert copies.get("t:page:big") is None


def test_no_copies_when_the_limit_is_zero(copies, settings):
    settings.LOCAL_PAGE_CACHE_BYTES = 0
    localcache.put("t:page:4", b"shared only", 60)
    assert len(copies) == 0
    assert localcache.get("t:page:4") == b"shared only"


def test_a_version_starts_from_the_clock_and_moves_by_one():
    """core.versions: on Redis in one round trip (core.cache.incr_or_start), on the file cache under its lock."""
    from core import versions

    name = "test-bump"
    cache.delete(versions.key(name))
    before = int(time.time() * 1000)
    versions._incr(name)
    first = cache.get(versions.key(name))
    assert first >= before  # from the clock, not from 1: never an old number again
    versions._incr(name)
    assert cache.get(versions.key(name)) == first + 1


def test_a_version_with_a_timeout_is_forgotten_after_its_last_move():
    """Per-session and per-user versions (accounts.session_store, accounts.backends) do not pile up."""
    from core import versions

    name = "test-bump-timeout"
    cache.delete(versions.key(name))
    versions._incr(name, timeout=2)
    versions._incr(name, timeout=2)
    assert cache.get(versions.key(name)) is not None
    time.sleep(2.2)
    assert cache.get(versions.key(name)) is None
