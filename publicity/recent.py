"""The notices this process read for recent objection filings, for a few seconds.

    from publicity.recent import recent_notices
    values = recent_notices.get((entry_id, notice_id))

The public form's filing (services.file_objection) checks its rules on the notice as read and then
writes in one statement that holds only while the notice is still as read, the entry still in it
(services._still_as_read): so the read may be a few seconds old, and a surge of filings on one
notice skips a round trip to PostgreSQL each (issue 8). A refusal is never made on a copy: the
filing reads the notice again before it refuses.

Per process, bounded (least recently used first out), each copy kept ``RECENT_NOTICE_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

RECENT_NOTICE_SECONDS = 10
RECENT_NOTICE_ENTRIES = 4096


class RecentReads:
    def __init__(self, seconds: float = RECENT_NOTICE_SECONDS, size: int = RECENT_NOTICE_ENTRIES):
        self.seconds, self.size = seconds, size
        self._lock = threading.Lock()  # gunicorn gthread: several requests of one process at once
        self._items: OrderedDict[object, tuple[float, tuple]] = OrderedDict()

    def get(self, key) -> tuple | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key, values: tuple) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.seconds, values)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


recent_notices = RecentReads()
