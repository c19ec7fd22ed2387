"""The login pool runs password checks off the request threads and refuses at once when full."""

from __future__ import annotations

import asyncio
import threading

import pytest

from api.login_pool import LoginPool
from workflows.domain.errors import Busy


def test_a_full_pool_refuses_the_next_login_at_once_and_takes_it_once_a_place_is_free() -> None:
    pool = LoginPool(workers=1, queue=1)
    release = threading.Event()

    async def scenario() -> list[str]:
        first = asyncio.ensure_future(pool.run(lambda: release.wait(5) and "first"))
        second = asyncio.ensure_future(pool.run(lambda: "second"))
        await asyncio.sleep(0.05)
        with pytest.raises(Busy) as refused:
            await pool.run(lambda: "third")
        assert refused.value.retry_after == 1 and refused.value.status == 503
        release.set()
        done = [await first, await second]
        return [*done, await pool.run(lambda: "fourth")]

    try:
        assert asyncio.run(scenario()) == ["first", "second", "fourth"]
    finally:
        pool.close()


def test_the_work_runs_on_a_login_thread_not_the_callers() -> None:
    pool = LoginPool(workers=1, queue=0)
    try:
        name = asyncio.run(pool.run(lambda: threading.current_thread().name))
    finally:
        pool.close()
    assert name.startswith("login") and name != threading.current_thread().name
