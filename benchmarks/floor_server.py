"""The least an answer costs on this machine's HTTP stack: two processes shaped as `redress api
--workers 2`'s (uvicorn with the same settings, each on its own SO_REUSEPORT socket, the
garbage collector as the API sets it), answering every request with the same bytes, and
nothing else: no routing, no key check, no case to find. `benchmarks.tails floor` offers it
the same open-loop rates as the API, to tell the tail the machine and the stack give from the
tail the API adds.

    python -m benchmarks.floor_server PORT BODY_FILE
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from pathlib import Path
from typing import Any

WORKERS = 2


def _app(body: bytes) -> Any:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def _worker(port: int, body_file: str) -> None:
    import uvicorn

    from services.collector import freeze_startup
    from services.entrypoints.api_workers import (
        GRACE_SECONDS,
        KEEP_ALIVE_SECONDS,
        _listening_socket,
        end_with_parent,
    )

    end_with_parent()
    config = uvicorn.Config(
        _app(Path(body_file).read_bytes()),
        lifespan="off",
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    freeze_startup()
    uvicorn.Server(config).run(sockets=[_listening_socket("127.0.0.1", port)])


def main() -> None:
    port, body_file = int(sys.argv[1]), sys.argv[2]
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_worker, args=(port, body_file)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    ending = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, ending)  # after the start: workers must not inherit it
    signal.sigwait(ending)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(10)


if __name__ == "__main__":
    main()
