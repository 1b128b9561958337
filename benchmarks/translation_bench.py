"""Translator quality bar (issue 15), beside a baseline measured in the same run:

- the translator keeps up with 200 messages/s to a local engine, with a p99 from
  `MessagePosted` to `MessageTranslated` <= 1 s, engine time excluded (baseline: the engine's
  own round trip p99, from a plain aiohttp client; the figure reported *includes* the engine
  time, so it is an upper bound of the one the target names).

One `redress translator` process on PostgreSQL, the engine a LibreTranslate-compatible server
in its own process pinned to the second core (it answers `[lang] text` at once). Messages are
posted open-loop at the rate through the application (8 threads: group commit), French on
cases whose store reads German, so each message makes one translation.

python -m benchmarks --only translation, or python -m benchmarks.translation_bench
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import aiohttp
import httpx

from benchmarks.harness import ROOT, VENV_BIN, Figure, free_port, fresh_database, percentile
from domain.actors import Actor, By
from domain.filing import Order
from domain.translations import Translations
from services.application import NewCase, Redress
from services.bootstrap import open_redress
from services.db import migrate
from services.settings import Settings

SECTION = "translation"
STORE, CONSUMER = "bench-laden", Actor("consumer", "bench-claire")
RESULTS = ROOT / "benchmarks" / "results"


# -- the engine (its own process) --------------------------------------------------------------


def serve_engine(port: int) -> None:
    import orjson
    import uvicorn

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        asked = orjson.loads(body or b"{}")
        if scope["path"] == "/detect":
            answer: Any = [{"language": "fr", "confidence": 90.0}]
        else:
            target, q = asked.get("target"), asked.get("q")
            said = [f"[{target}] {t}" for t in q] if isinstance(q, list) else f"[{target}] {q}"
            answer = {"translatedText": said}
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": orjson.dumps(answer)})

    uvicorn.run(
        app, host="127.0.0.1", port=port, loop="uvloop", http="httptools", log_level="warning"
    )


@contextlib.contextmanager
def engine() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "benchmarks.translation_bench", "engine", str(port)]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        command = ["taskset", "-c", "1", *command]
    process = subprocess.Popen(command, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{url}/translate", json={"q": "x", "target": "de"}, timeout=1)
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the engine did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def engine_p99(url: str, count: int = 1000) -> float:
    """The engine's own round trip, one request at a time: what the target excludes."""

    async def measure() -> list[float]:
        times = []
        async with aiohttp.ClientSession() as session:
            for n in range(count):
                started = time.perf_counter()
                body = {"q": f"Bonjour {n}", "source": "fr", "target": "de", "format": "text"}
                async with session.post(f"{url}/translate", json=body) as response:
                    await response.read()
                times.append(time.perf_counter() - started)
        return times

    return percentile(asyncio.run(measure()), 99)


# -- the translator and the messages -----------------------------------------------------------


@contextlib.contextmanager
def translator_process(database_url: str, engine_url: str) -> Iterator[None]:
    env = {
        **os.environ,
        "REDRESS_DATABASE_URL": database_url,
        "REDRESS_TRANSLATOR": "libretranslate",
        "REDRESS_LIBRETRANSLATE_URL": engine_url,
        "REDRESS_TRANSLATOR_ALLOWED_HOSTS": "127.0.0.1:*",
    }
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "translator.log", "wb") as log:
        process = subprocess.Popen(
            [str(VENV_BIN / "redress"), "translator"], env=env, stdout=log, stderr=log
        )
        try:
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def file_cases(app: Redress, count: int) -> list[UUID]:
    now = datetime.now(UTC)
    app.register_store(
        By.at(Actor("admin", "bench"), now),
        store_id=STORE,
        platform="biggrey",
        name="Laden",
        certified=True,
        country="DE",
        timezone="Europe/Berlin",
        language="de",
    )
    order = Order("ord", Decimal("50.00"), "EUR", now - timedelta(days=2))
    new = NewCase("biggrey", STORE, CONSUMER.id, "warranty_claim", order, "Cassé.", "fr")
    return [UUID(app.submit_case(By.at(CONSUMER, now), new)["id"]) for _ in range(count)]


def post(app: Redress, case_id: UUID, n: int) -> None:
    by = By.at(CONSUMER, datetime.now(UTC))
    app.act(case_id, by, lambda case, policy: case.post_message(policy, by, f"Message {n}", "fr"))


def drive(app: Redress, cases: list[UUID], rate: int, seconds: int) -> float:
    """Post `rate * seconds` messages open-loop; returns the rate reached."""
    total = rate * seconds
    with ThreadPoolExecutor(8) as pool:
        started = time.monotonic()
        futures = []
        for n in range(total):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            futures.append(pool.submit(post, app, cases[n % len(cases)], n))
        for future in futures:
            future.result()
    return total / (time.monotonic() - started)


def latencies(app: Redress, cases: list[UUID]) -> list[float]:
    """MessagePosted → its MessageTranslated, recorded times, for every message."""
    found = []
    for case_id in cases:
        posted = {
            str(e.originator_version): e.timestamp
            for e in app.events.get(case_id)
            if type(e).__name__ == "MessagePosted"
        }
        for t in app._translation_events(case_id):
            if isinstance(t, Translations.MessageTranslated) and t.message_id in posted:
                found.append((t.timestamp - posted[t.message_id]).total_seconds())
    return found


def wait_translated(app: Redress, cases: list[UUID], count: int, timeout: float) -> list[float]:
    deadline = time.monotonic() + timeout
    while True:
        found = latencies(app, cases)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(1)


def keeps_up(rate: int = 200, seconds: int = 20, cases: int = 100) -> Figure:
    with fresh_database("translate") as url, engine() as engine_url:
        settings = Settings(database_url=url)
        migrate(settings)
        app = open_redress(settings)
        try:
            ids = file_cases(app, cases)
            baseline = engine_p99(engine_url)
            with translator_process(url, engine_url):
                reached = drive(app, ids, rate, seconds)
                drove_until = time.monotonic()
                found = wait_translated(app, ids, rate * seconds, timeout=120)
                drained = time.monotonic() - drove_until
        finally:
            app.close()
    p99 = percentile(found, 99)
    complete = len(found) == rate * seconds
    return Figure(
        SECTION,
        f"MessagePosted → MessageTranslated p99 at {rate} messages/s (engine time included)",
        p99,
        "s",
        baseline="the engine's own round trip p99",
        baseline_value=baseline,
        target=f"<= 1 s, keeping up with {rate}/s",
        met=complete and reached >= rate * 0.95 and p99 <= 1.0,
        extra={
            "p50": percentile(found, 50),
            "max": max(found, default=float("nan")),
            "posted_rate": reached,
            "translated": len(found),
            "drained_after_drive_s": drained,
        },
    )


def run() -> list[Figure]:
    return [keeps_up()]


if __name__ == "__main__":
    if sys.argv[1:2] == ["engine"]:
        serve_engine(int(sys.argv[2]))
    else:
        for figure in run():
            print(figure)
