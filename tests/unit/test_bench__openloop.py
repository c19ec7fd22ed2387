"""bench/openloop.py sends on a fixed schedule and counts latency from each request's due time."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import threading
from collections.abc import Iterator

import pytest

from bench import openloop


class SlowServer:
    """HTTP/1.1 keep-alive server that answers one request at a time, each after `delay` seconds, and
    closes a connection idle for `keep_alive` seconds (as uvicorn does after 5 s)."""

    def __init__(self, delay: float, keep_alive: float = 60.0) -> None:
        self.delay = delay
        self.keep_alive = keep_alive
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.handled = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.handlers: set[asyncio.Task[None]] = set()
        self.server: asyncio.Server | None = None
        ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(5)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        one_at_a_time = asyncio.Lock()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.writers.append(writer)
            task = asyncio.current_task()
            assert task is not None
            self.handlers.add(task)
            try:
                while True:
                    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.keep_alive)).decode()
                    length = int(head.lower().split("content-length:")[1].split("\r\n")[0])
                    await reader.readexactly(length)
                    async with one_at_a_time:
                        await asyncio.sleep(self.delay)
                        self.handled += 1
                    status = "409 Conflict" if " /taken " in head else "200 OK"
                    writer.write(f"HTTP/1.1 {status}\r\nContent-Length: 2\r\n\r\nok".encode())
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
                pass
            finally:
                writer.close()

        self.server = self.loop.run_until_complete(asyncio.start_server(handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        async def close() -> None:
            assert self.server is not None
            self.server.close()
            current = asyncio.current_task()
            for task in self.handlers:
                if task is not current:
                    task.cancel()
            await asyncio.gather(*(t for t in self.handlers if t is not current), return_exceptions=True)
            for writer in self.writers:
                writer.close()
                with contextlib.suppress(OSError, ConnectionError):
                    await writer.wait_closed()
            await self.server.wait_closed()
            # Let the transports' close callbacks run before the loop stops: a transport left
            # "closing" is reported unclosed when it is collected, in whatever test runs then.
            await asyncio.sleep(0.01)

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
        gc.collect()  # anything left unclosed is reported here, not in whichever test runs next


@pytest.fixture
def slow_server() -> Iterator[SlowServer]:
    server = SlowServer(delay=0.02)  # capacity: 50 requests/s
    yield server
    server.stop()


def requests(count: int, path: str = "/work") -> list[openloop.Request]:
    return [(f"POST {path}", "Content-Type: application/json\r\n", b"{}")] * count


def test_latency_includes_the_wait_behind_a_server_slower_than_the_rate(slow_server: SlowServer) -> None:
    result = openloop.run(host="127.0.0.1", port=slow_server.port, requests=requests(20), rate=100,
                         max_connections=1)
    # Due every 10 ms, served every 20 ms over one connection: the 20th is due at 190 ms and answered
    # near 400 ms; a tool that timed from its own send would see 20 ms each.
    assert (result.answered, result.non2xx, result.errors) == (20, 0, 0)
    assert min(result.latencies_ms) >= 19
    assert max(result.latencies_ms) >= 150


def test_requests_leave_on_their_schedule_not_as_fast_as_answers_come(slow_server: SlowServer) -> None:
    slow_server.delay = 0.0
    result = openloop.run(host="127.0.0.1", port=slow_server.port, requests=requests(10), rate=20)
    assert (result.sent, result.answered, slow_server.handled) == (10, 10, 10)
    assert result.seconds >= 9 / 20


def test_answers_outside_2xx_are_counted(slow_server: SlowServer) -> None:
    result = openloop.run(host="127.0.0.1", port=slow_server.port, requests=requests(5, "/taken"), rate=200)
    assert (result.answered, result.non2xx) == (5, 5)


def test_a_connection_idle_longer_than_the_server_keeps_it_is_not_reused(slow_server: SlowServer) -> None:
    slow_server.delay, slow_server.keep_alive = 0.0, 0.15
    # One request every 250 ms: each connection has been closed by the server before the next is due.
    fresh = openloop.run(host="127.0.0.1", port=slow_server.port, requests=requests(4), rate=4, max_idle=0.1)
    assert (fresh.answered, fresh.errors, fresh.connections) == (4, 0, 4)
    reused = openloop.run(host="127.0.0.1", port=slow_server.port, requests=requests(4), rate=4, max_idle=10)
    assert reused.errors >= 1 and reused.answered == 4 - reused.errors
