"""`redress api --workers N`: N API processes, each listening on its own SO_REUSEPORT socket;
and the supervisor `redress serve --workers N` shares, with one more kind of child.

uvicorn's own supervisor shares one listening socket between its workers, and whichever
worker is awake first accepts: 64 keep-alive connections opened together were seen to split
50 to 14, so one worker queued while the other idled. With a socket per worker the kernel
spreads connections over them by hash. The parent restarts a child that dies, and on SIGTERM
or SIGINT passes the signal on: each worker drains its requests (uvicorn's graceful
shutdown), any other child its own work, then the parent exits. Every child ends with the
parent, even one killed outright (`end_with_parent`).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.context import SpawnContext, SpawnProcess
from types import FrameType
from typing import Any

from uvicorn.config import STARTUP_FAILURE

from services.internal_http import (
    MULTIPROCESS_DIR,
    internal_app,
    remove_metrics_directory,
    serve_in_thread,
    shared_metrics_directory,
    worker_gone,
)

log = logging.getLogger(__name__)
GRACE_SECONDS = 25  # a worker's drain, as in `redress api` with one process
# An idle connection is kept this long (uvicorn's default is 5 s). Longer than clients' own
# idle expiry (httpx 5 s, aiohttp 15 s) and a load balancer's (60 s): the client closes
# first, so a request never races the server closing the connection it was sent on (the
# client then sees "Server disconnected without sending a response").
KEEP_ALIVE_SECONDS = 75
RESTART_PAUSE = 1.0  # a worker dying at once again is not restarted in a tight loop
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Child:
    """A kind of child process the supervisor keeps running: `count` of them, each running
    `target(*args)` (spawned: a module-level function, picklable arguments)."""

    name: str
    target: Callable[..., None]
    args: tuple[Any, ...] = ()
    count: int = 1

    def start(self, spawn: SpawnContext) -> SpawnProcess:
        process = spawn.Process(target=self.target, args=self.args, daemon=False)
        process.start()
        return process


def serve(
    host: str,
    port: int,
    workers: int,
    metrics_port: int | None = None,
    others: Sequence[Child] = (),
) -> None:
    """`workers` API processes, and the `others` beside them, until SIGTERM or SIGINT."""
    # Fail here if anything listens there already: a socket bound with SO_REUSEPORT would
    # quietly share the port with another server of the same user.
    _listening_socket(host, port, shared=False).close()
    from services.case_api.app import api_schema

    # Before any child starts: each writes its metrics there, and /metrics sums them all.
    made_here = not os.environ.get(MULTIPROCESS_DIR)
    directory = shared_metrics_directory()
    internal = (
        serve_in_thread(internal_app(api_schema), host, metrics_port) if metrics_port else None
    )
    try:
        _supervise([Child("API worker", _worker, (host, port), workers), *others])
    finally:
        if internal is not None:
            internal.stop()
        remove_metrics_directory(directory, made_here)


def _supervise(kinds: Sequence[Child]) -> None:
    spawn = multiprocessing.get_context("spawn")
    children = [(kind, kind.start(spawn)) for kind in kinds for _ in range(kind.count)]
    stopping: list[int] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    failed = False
    while not stopping and not failed:
        time.sleep(0.2)
        failed = _restart_the_dead(spawn, children, stopping)
    _stop_all([process for _, process in children])
    if failed:
        raise SystemExit(STARTUP_FAILURE)


def _restart_the_dead(
    spawn: SpawnContext, children: list[tuple[Child, SpawnProcess]], stopping: list[int]
) -> bool:
    """Start another child for each that exited; True if one could not start (then neither
    could the next: the supervisor stops)."""
    for index, (kind, process) in enumerate(children):
        if process.is_alive() or stopping:
            continue
        if process.exitcode == STARTUP_FAILURE:
            log.error("%s %s could not start; stopping", kind.name, process.pid)
            return True
        log.warning("%s %s exited (%s); starting another", kind.name, process.pid, process.exitcode)
        if process.pid is not None:
            worker_gone(process.pid)
        time.sleep(RESTART_PAUSE)
        children[index] = (kind, kind.start(spawn))
    return False


def _stop_all(processes: list[SpawnProcess]) -> None:
    """SIGTERM each child, then wait for them to drain (SIGKILL after the grace period)."""
    for process in processes:
        if process.pid is not None and process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS + 5
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()


def _worker(host: str, port: int) -> None:
    import uvicorn

    from services.case_api.app import worker_app

    end_with_parent()
    config = uvicorn.Config(
        worker_app,
        factory=True,
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port)])


def _listening_socket(host: str, port: int, *, shared: bool = True) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(address)
    listener.listen(2048)
    return listener


def end_with_parent() -> None:
    """SIGTERM (a drain) when the supervisor dies, even by SIGKILL: no orphan keeps the port
    or the roles' work."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() == 1:  # the parent was gone before the signal was asked for
            os.kill(os.getpid(), signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the worker outlives a killed supervisor
        log.info("no parent-death signal on this platform")
