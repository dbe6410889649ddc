"""Rendered pages in the shared cache, with a copy in this process.

The public notice pages (publicity.public_views) and the staff pages (core.pagecache) are kept as
HTML under keys that name every version they depend on (core.versions, publicity.services.public_version):
a key's content never changes, a change makes a new key. So a process may keep its own copy of what it
read or wrote, and a repeat request costs a dictionary lookup instead of fetching the page (tens to
hundreds of kilobytes) from Redis and unpickling it. Each copy keeps the expiry of the shared entry,
stored beside the page, so a page with a window closing or a minute turning is dropped as it is there.

The same holds for the security policy and each user's grants (orgs.policy, orgs.permissions), kept
under the AUTHZ version: ``get_object``/``put_object`` keep them pickled, so every request unpickles
its own objects and no model instance is shared between requests or threads.

Bounded by ``LOCAL_PAGE_CACHE_BYTES`` per process (least recently used first out; 0: no copies).
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache


class _Copies:
    def __init__(self):
        self._lock = threading.Lock()  # gunicorn gthread: several requests of one process at once
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= time.time():
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, body: bytes, expires: float) -> None:
        limit = getattr(settings, "LOCAL_PAGE_CACHE_BYTES", 0)
        if len(body) > limit // 4:  # nor one page crowding out the rest
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (expires, body)
            self._bytes += len(body)
            while self._bytes > limit:
                self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        _expires, body = self._items.pop(key)
        self._bytes -= len(body)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


copies = _Copies()


def get(key: str) -> bytes | None:
    """The page under ``key``: this process's copy, else the shared cache's (then copied here)."""
    body = copies.get(key)
    if body is not None:
        return body
    stored = cache.get(key)
    # (expiry, bytes) as ``put`` keeps it; anything else under the key (an older release's format) is a miss.
    if not (isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[1], bytes)):
        return None
    expires, body = stored
    if not isinstance(expires, float) or expires <= time.time():
        return None
    copies.put(key, body, expires)
    return body


def put(key: str, body: bytes, seconds: float) -> None:
    """Keep ``body`` for ``seconds`` in the shared cache and here."""
    expires = time.time() + seconds
    cache.set(key, (expires, body), seconds)
    copies.put(key, body, expires)


def get_object(key: str):
    body = get(key)
    return None if body is None else pickle.loads(body)


def put_object(key: str, value, seconds: float) -> None:
    put(key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), seconds)
