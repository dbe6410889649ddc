"""The cache backends: Redis with one kept client (production), and the embedded default's:
Django's file cache with ``add`` and ``incr`` made atomic across processes.

Django's ``FileBasedCache.add`` is check-then-write and its ``incr`` is get-then-set (which also
drops the entry's expiry), so two gunicorn workers can both "add" a key, or lose one another's
increments. Rate limits (core.ratelimit) and the public-page version counter rely on both, so here
they run under one ``flock`` on a file beside the cache entries. Redis (production) does both
atomically on its own.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import time
import zlib
from contextlib import contextmanager

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

LOCK_NAME = "atomic.lock"  # no .djcache suffix: clear() and culling leave it alone


class LockedFileBasedCache(FileBasedCache):
    @contextmanager
    def _locked(self):
        self._createdir()
        fd = os.open(os.path.join(self._dir, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        """Atomic, and the entry keeps its expiry (a rate window does not stretch with each hit)."""
        with self._locked():
            return self._incr_locked(key, delta, version)

    def incr_or_start(self, key, start: int, timeout: int | None = None) -> int:
        """``key`` plus one, starting from ``start`` when it is missing (core.versions), atomically;
        with ``timeout``, kept that many seconds from now."""
        with self._locked():
            super().add(key, start, timeout)
            value = self._incr_locked(key, 1, None)
            if timeout is not None:
                self.set(key, value, timeout)
            return value

    def _incr_locked(self, key, delta, version):
        fname = self._key_to_file(key, version)
        try:
            with open(fname, "rb") as f:
                expiry = pickle.load(f)
                value = pickle.loads(zlib.decompress(f.read()))
        except FileNotFoundError:
            expiry, value = 0, None
        if value is None or (expiry is not None and expiry < time.time()):
            raise ValueError(f"Key '{key}' not found")
        value += delta
        timeout = None if expiry is None else max(expiry - time.time(), 0.001)
        self.set(key, value, timeout, version)
        return value


# --- Redis (production) --------------------------------------------------------------------------


class _ReusedClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every operation, and redis-py fills its table
    of response callbacks (hundreds of entries) each time: a third of a millisecond per cache read,
    several per staff request. One ``redis.Redis`` per connection pool, kept: it is thread-safe and
    takes its connections from the pool, which redis-py resets after a fork."""

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        clients = self.__dict__.setdefault("_kept_clients", {})
        client = clients.get(index)
        if client is None:
            client = clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class KeptClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient

    def incr_or_start(self, key, start: int, timeout: int | None = None) -> int:
        """``key`` plus one, starting from ``start`` when it is missing: one round trip (a pipeline of
        SET NX and INCR), where ``incr`` then ``set`` would take two or three (core.versions); with
        ``timeout``, kept that many seconds from now."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        with client.pipeline(transaction=True) as pipe:
            pipe.set(key, start, nx=True)
            pipe.incr(key)
            if timeout is not None:
                pipe.expire(key, timeout)
            return pipe.execute()[1]
