"""Real `redress` processes for tests: started in their own process group with their output in
a log file, killed with SIGKILL (the whole group) or stopped with SIGTERM, and never leaked.

    with Fleet(tmp_path, {"REDRESS_DATABASE_URL": url}) as fleet:
        api = fleet.api()                     # `redress api` on a free port, once it answers
        projector = fleet.start("projector")  # any other role: `redress projector`, ...
        projector.kill()                      # SIGKILL, as a crash would
        projector.start()                     # the restart, logging to a new file
    # leaving the block kills whatever still runs

`spawned_children(pid)` and `sockets_on(pid, port)` look into a supervisor's process tree
(`redress api --workers N`, `redress serve --workers N`) through /proc.

`Outages` takes a throwaway PostgreSQL cluster (support.postgres.throwaway_cluster) away and
brings it back, under a running service.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg

from support.postgres import free_port, postgres_bindir

REDRESS = Path(sys.executable).with_name("redress")


def wait_until(
    condition: Callable[[], bool], timeout: float = 60.0, what: str = "the condition"
) -> None:
    """Poll `condition` until it holds; fail (AssertionError) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up after {timeout:g} s waiting for {what}"
        time.sleep(0.1)


class Service:
    """One `redress ARGS...` process; each start writes its stdout and stderr to files of its own
    in `log_dir` (NAME-N.out, NAME-N.log)."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], log_dir: Path) -> None:
        self.name, self.args, self.env, self.log_dir = name, args, dict(env), log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.kills = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> Service:
        assert not self.running, f"{self.name} is already running"
        self.starts += 1
        run = self.log_dir / f"{self.name}-{self.starts}"
        with run.with_suffix(".out").open("wb") as out, run.with_suffix(".log").open("wb") as err:
            self.process = subprocess.Popen(
                [str(REDRESS), *self.args],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group: a kill takes its children too
            )
        return self

    def kill(self) -> None:
        """SIGKILL the process group, as a crash or an OOM kill would, and reap it."""
        assert self.process is not None and self.running, f"{self.name} is not running"
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.kills += 1

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM and wait (SIGKILL after `timeout`); the exit code, None if never started."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(timeout=30)
        self._signal_group(signal.SIGKILL)  # children that outlived their parent
        return self.process.returncode

    def logs(self, suffixes: tuple[str, ...] = (".out", ".log")) -> str:
        """What every run printed: stdout (.out) and the log lines on stderr (.log)."""
        return "\n".join(
            path.read_text(errors="replace")
            for n in range(1, self.starts + 1)
            for suffix in suffixes
            if (path := self.log_dir / f"{self.name}-{n}{suffix}").exists()
        )

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):  # the group is gone already
            os.killpg(self.process.pid, sig)


class ApiService(Service):
    """`redress api` on a free loopback port; `start` returns once /healthz answers."""

    def __init__(
        self, env: Mapping[str, str], log_dir: Path, *extra: str, name: str = "api"
    ) -> None:
        self.port = free_port()
        args = ["api", "--host", "127.0.0.1", "--port", str(self.port), *extra]
        super().__init__(name, args, env, log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ApiService:
        super().start()
        wait_until(self._answers, 120, f"the API on {self.url}:\n{self.logs()}")
        return self

    def _answers(self) -> bool:
        assert self.running, f"the API exited:\n{self.logs()}"
        try:
            return httpx.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False


class Fleet:
    """The processes of one test, all on one environment; leaving the block ends them all."""

    def __init__(self, log_dir: Path, env: Mapping[str, str]) -> None:
        self.log_dir = log_dir
        self.env = {**os.environ, **env}
        self.services: list[Service] = []

    def __enter__(self) -> Fleet:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def api(self, *extra: str, **env: str) -> ApiService:
        service = ApiService({**self.env, **env}, self.log_dir, *extra, name=self._name("api"))
        self.services.append(service)
        return service.start()

    def start(self, *args: str, **env: str) -> Service:
        """`redress ARGS...` (e.g. "projector", "scheduler", "notifier")."""
        taken = {s.name for s in self.services}
        name = next(
            n for k in range(1, 100) if (n := args[0] + (f"{k}" if k > 1 else "")) not in taken
        )
        service = Service(name, list(args), {**self.env, **env}, self.log_dir)
        self.services.append(service)
        return service.start()

    def _name(self, role: str) -> str:
        """The role, numbered from its second process on (their logs must not mix)."""
        taken = {s.name for s in self.services}
        return next(n for k in range(1, 100) if (n := f"{role}{k if k > 1 else ''}") not in taken)

    def stop(self) -> dict[str, int | None]:
        """SIGTERM every process (the last started first); their exit codes by name."""
        return {s.name: s.stop() for s in reversed(self.services)}

    def logs(self) -> str:
        return "\n".join(f"--- {s.name}\n{s.logs()}" for s in self.services)


# -- a supervisor's children ---------------------------------------------------------------


def spawned_children(pid: int) -> set[int]:
    """The children `pid` started with multiprocessing's spawn (not its resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {
        child
        for child in map(int, children.split())
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
    }


def sockets_on(pid: int, port: int, state: str = "01") -> int:
    """How many of this process's sockets are connections accepted on `port` (state 01), or
    listening there (0A)."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
        table = Path(f"/proc/{pid}/net/tcp").read_text()
    except FileNotFoundError:  # the process has ended (a killed child not yet reaped)
        return 0
    for fd in fds:
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed since the directory was listed
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in table.splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == state and fields[9] in inodes:
            count += 1
    return count


# -- a throwaway cluster, taken down and brought back ------------------------------------------


class Outages:
    """Take a throwaway cluster (support.postgres.throwaway_cluster) away and bring it back:
    `pg_ctl stop -m fast` ends every session and shuts the server down; `pg_ctl start` starts
    it again on the same port. Leaving the block brings it back if it is away, so that the
    cluster's own clean-up can run."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.data = data_directory(server_url)
        self.away = False

    def __enter__(self) -> Outages:
        return self

    def __exit__(self, *_: object) -> None:
        if self.away:
            self.start()

    def stop(self) -> None:
        _pg_ctl("-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")
        self.away = True

    def start(self) -> None:
        port = urlsplit(self.server_url).port
        options = f"-p {port} -k {self.data.parent} -c listen_addresses=127.0.0.1"
        log = self.data.parent / "postgres.log"
        _pg_ctl("-D", str(self.data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        self.away = False


def data_directory(server_url: str) -> Path:
    with psycopg.connect(server_url, autocommit=True) as connection:
        found = connection.execute("SHOW data_directory").fetchone()
    assert found is not None
    return Path(found[0])


def _pg_ctl(*args: str) -> None:
    argv = [str(postgres_bindir() / "pg_ctl"), *args]
    if os.geteuid() == 0:  # as throwaway_cluster does: PostgreSQL refuses to run as root
        argv = ["runuser", "-u", "postgres", "--", *argv]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)
