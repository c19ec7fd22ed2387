"""Open-loop HTTP load: requests leave at fixed times, whatever the server's answers do.

A closed-loop tool (wrk) sends the next request only when an answer came back, so a slow server
is asked less and its queueing hides from the latencies ("coordinated omission"). Here request
i is due at `start + i / rate`; its latency runs from that due time to the end of its answer,
so time spent waiting for the scheduler, for a free connection or in the server's queue all
counts. Keep-alive HTTP/1.1 over plain asyncio sockets (uvloop when installed), one request
per connection at a time, a new connection when none is free (at most `max_connections`). Like
an HTTP client library, it does not reuse a connection that sat idle for `max_idle` seconds
(default 4, under uvicorn's 5 s keep-alive): the server may have closed it meanwhile.

The generator shares the machine with the server: `Result.cpu_seconds` is its own CPU time,
and `Result.late_p99_ms` says how late it started requests (it kept up if that is small).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

Request = tuple[str, str, bytes]  # method and path, extra header lines ("Name: value\r\n"...), body


@dataclass
class Result:
    rate: float  # the rate asked for, requests/s
    sent: int
    answered: int
    non2xx: int
    errors: int
    seconds: float  # from the first due time to the last answer
    latencies_ms: list[float] = field(repr=False)
    late_ms: list[float] = field(repr=False)
    cpu_seconds: float = 0.0
    connections: int = 0  # opened in all

    def quantile(self, q: float) -> float:
        return _quantile(self.latencies_ms, q)

    @property
    def late_p99_ms(self) -> float:
        return _quantile(self.late_ms, 0.99)

    @property
    def cpu_per_request_ms(self) -> float:
        return 1000 * self.cpu_seconds / max(self.sent, 1)


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def _encode(host: str, request: Request) -> bytes:
    target, headers, body = request
    return (f"{target} HTTP/1.1\r\nHost: {host}\r\n{headers}Content-Length: {len(body)}\r\n\r\n").encode() + body


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _Connections:
    def __init__(self, host: str, port: int, limit: int, max_idle: float) -> None:
        self.host, self.port, self.limit, self.max_idle = host, port, limit, max_idle
        self.idle: list[tuple[Connection, float]] = []  # with the time each went idle
        self.opened = 0  # open now
        self.made = 0  # opened in all
        self.free = asyncio.Condition()

    async def take(self) -> Connection:
        async with self.free:
            while not self.idle and self.opened >= self.limit:
                await self.free.wait()
            stale = time.perf_counter() - self.max_idle
            while self.idle:
                conn, since = self.idle.pop()
                if since >= stale:
                    return conn
                conn[1].close()
                self.opened -= 1
            self.opened += 1
            self.made += 1
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError:
            await self.lost()
            raise

    async def give_back(self, conn: Connection) -> None:
        async with self.free:
            self.idle.append((conn, time.perf_counter()))
            self.free.notify()

    async def lost(self) -> None:
        async with self.free:
            self.opened -= 1
            self.free.notify()

    async def close(self) -> None:
        for (_, writer), _since in self.idle:
            writer.close()
            await writer.wait_closed()


async def _exchange(conn: Connection, data: bytes) -> int:
    reader, writer = conn
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next((int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")),
                  None)
    if length is None:
        raise ValueError("an answer without Content-Length")
    await reader.readexactly(length)
    return status


async def _drive(host: str, port: int, requests: Sequence[Request], rate: float, max_connections: int,
                 max_idle: float) -> Result:
    pool = _Connections(host, port, max_connections, max_idle)
    latencies: list[float] = []
    late: list[float] = []
    counts = {"non2xx": 0, "errors": 0}

    async def one(due: float, data: bytes) -> None:
        late.append(1000 * (time.perf_counter() - due))
        try:
            conn = await pool.take()
        except OSError:
            counts["errors"] += 1
            return
        try:
            status = await _exchange(conn, data)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            counts["errors"] += 1
            conn[1].close()
            await pool.lost()
            return
        latencies.append(1000 * (time.perf_counter() - due))
        if not 200 <= status < 300:
            counts["non2xx"] += 1
        await pool.give_back(conn)

    encoded = [_encode(f"{host}:{port}", request) for request in requests]
    cpu = time.process_time()
    start = time.perf_counter() + 0.05
    pending = []
    for index, data in enumerate(encoded):
        due = start + index / rate
        while (wait := due - time.perf_counter()) > 0:  # the loop's timers may wake a little early
            await asyncio.sleep(wait)
        pending.append(asyncio.ensure_future(one(due, data)))
    await asyncio.gather(*pending)
    seconds = time.perf_counter() - start
    result = Result(rate=rate, sent=len(encoded), answered=len(latencies), non2xx=counts["non2xx"],
                    errors=counts["errors"], seconds=seconds, latencies_ms=latencies, late_ms=late,
                    cpu_seconds=time.process_time() - cpu, connections=pool.made)
    await pool.close()
    return result


def run(*, host: str, port: int, requests: Sequence[Request], rate: float, max_connections: int = 512,
        max_idle: float = 4.0) -> Result:
    """Send `requests` in order, request i at `i / rate` seconds after the start; wait for every answer."""
    drive = _drive(host, port, requests, rate, max_connections, max_idle)
    try:
        import uvloop
    except ImportError:  # plain asyncio works too, it only costs the generator more CPU
        return asyncio.run(drive)
    return uvloop.run(drive)
