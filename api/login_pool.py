"""Password checks on a small pool of their own threads, with a bounded queue.

A password check costs ≈0.3 s of CPU. On the request threads (1 per API process on SQLite) a
flood of wrong passwords would make every other request wait; here it waits only for other
logins, and when `queue` logins already wait the next one is refused at once (503, Retry-After).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from workflows.domain.errors import Busy

T = TypeVar("T")


class LoginPool:
    def __init__(self, *, workers: int = 1, queue: int = 16) -> None:
        self._workers = workers
        self._executor = self._new_executor()
        self._limit = workers + queue
        self._pending = 0
        self._lock = threading.Lock()

    async def run(self, work: Callable[[], T]) -> T:
        """The result of `work()`, run on the pool; Busy when the queue is full. A caller that gives
        up (the client went away) does not free the place before `work` is done."""
        with self._lock:
            if self._pending >= self._limit:
                raise Busy("too many logins are waiting; try again in a moment")
            self._pending += 1
        try:
            future = self._executor.submit(work)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return await asyncio.wrap_future(future)

    def _done(self, _: object) -> None:
        with self._lock:
            self._pending -= 1

    def _new_executor(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="login")

    def close(self) -> None:
        """Stop the threads (at the app's shutdown); a later `run` starts new ones."""
        old, self._executor = self._executor, self._new_executor()
        old.shutdown(wait=False, cancel_futures=True)
