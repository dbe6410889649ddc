"""Fixed-window request counters in the shared cache, so a limit holds across worker processes.

Redis in production (INCR is atomic and keeps the key's expiry); in the embedded default the file
cache made atomic with a lock (core.cache.LockedFileBasedCache). The window starts at the first
hit and the key expires with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window_seconds: int


def _key(name: str, subject: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{subject}".encode()).hexdigest()[:32]
    # Hashed: no address or username in the cache. The prefix keeps test runs apart.
    return f"rate:{settings.RATE_LIMIT_PREFIX}:{name}:{digest}"


# Count, and start the window with the first hit: atomic in Redis, one command and one reply (a
# MULTI/SET NX/INCR/EXEC pipeline cost twice the client's CPU, on every rate-limited POST). A counter
# found without an expiry (never written so here) is given one rather than counting forever.
_COUNT = """
local n = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_scripts: dict[int, object] = {}


def _redis_hit(key: str, window_seconds: int) -> int | None:
    """On Redis, one round trip: count, and start the window's expiry on the first hit."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    redis_key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(redis_key, write=True)
    script = _scripts.get(id(client))
    if script is None or script.registered_client is not client:
        script = _scripts[id(client)] = client.register_script(_COUNT)  # EVALSHA, loaded once per server
    return int(script(keys=[redis_key], args=[window_seconds]))


def hit(limit: Limit, subject: str) -> int:
    """Count one request by ``subject`` against ``limit``; returns the count in the current window."""
    key = _key(limit.name, subject)
    counted = _redis_hit(key, limit.window_seconds)
    if counted is not None:
        return counted
    for _ in range(3):
        cache.add(key, 0, limit.window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # the window ran out between add and incr: start the next one
            continue
    raise RuntimeError("rate counter unavailable")


def exceeded(limit: Limit, subject: str) -> bool:
    return hit(limit, subject) > limit.limit
