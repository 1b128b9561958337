"""A small HTTP/1.1 load generator: keep-alive connections on asyncio streams (uvloop when
available), closed-loop (as fast as answers come) or open-loop at a fixed rate, so latency
at a given load is measured without coordinated omission.

Latencies (p50, p99, max) are those of 2xx answers, the same answers the rate counts; every
other answer, and every request that got none, is counted in `errors` (by status in
`statuses`, and `transport_errors`), never hidden in a percentile.

Run as `python -m benchmarks.loadgen SPEC_JSON`; prints one JSON summary line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any
from urllib.parse import urlsplit


def _request(method: str, host: str, path: str, token: str, body: bytes | None) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {host}",
        f"Authorization: Bearer {token}",
        "Connection: keep-alive",
    ]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def run(spec: dict[str, Any]) -> dict[str, float]:
    parts = urlsplit(spec["url"])
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    body = json.dumps(spec["body"]).encode() if spec.get("body") is not None else None
    paths = spec.get("paths") or [spec["path"]]
    latencies: list[float] = []  # of 2xx answers only
    transport_errors = 0
    statuses: dict[int, int] = {}
    stop_at = time.perf_counter() + spec["seconds"]
    rate = spec.get("rate")
    connections = spec["connections"]
    started = time.perf_counter()
    counter = 0

    async def worker(index: int) -> None:
        nonlocal transport_errors, counter
        reader, writer = await asyncio.open_connection(host, port)
        n = index
        next_at = started + (index / rate if rate else 0)
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            if rate:  # open loop: each connection keeps its share of the schedule
                if next_at > now:
                    await asyncio.sleep(next_at - now)
                scheduled = next_at
                next_at += connections / rate
            else:
                scheduled = time.perf_counter()
            path = paths[n % len(paths)]
            n += connections
            writer.write(_request(spec["method"], host, path, spec["token"], body))
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                transport_errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            if 200 <= status < 300:
                latencies.append(time.perf_counter() - scheduled)
            statuses[status] = statuses.get(status, 0) + 1
            counter += 1
        writer.close()

    await asyncio.gather(*(worker(i) for i in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(q / 100 * len(latencies)))] * 1000

    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return {
        "requests": counter,
        "ok": ok,
        "errors": transport_errors + counter - ok,
        "transport_errors": transport_errors,
        "rps": ok / elapsed,
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "max_ms": pct(100),
        "statuses": statuses,
    }  # type: ignore[dict-item]


def main() -> None:
    spec = json.loads(sys.argv[1])
    try:
        import uvloop
    except ImportError:
        print(json.dumps(asyncio.run(run(spec))))
    else:
        print(json.dumps(uvloop.run(run(spec))))


if __name__ == "__main__":
    main()
