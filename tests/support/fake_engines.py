"""LibreTranslate- and DeepL-compatible servers for tests, on loopback, speaking each API's
real protocol over real HTTP. They translate from a small dictionary (any other text comes
back as `[lang] text`), and can be told to fail, hang, rate-limit (429 with Retry-After) or
go away altogether (connections refused) and come back on the same port.

    with FakeEngine("libretranslate") as engine:   # or "deepl"
        engine.url                                 # http://127.0.0.1:PORT
        engine.rate_limit(times=2, retry_after=1)
        engine.down(); engine.up()
        engine.requests                            # translate requests answered so far
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

from aiohttp import web

from support.postgres import free_port

SUPPORTED = frozenset({"en", "fr", "de", "es", "it"})
DEEPL_KEY = "test-key:fx"
# One phrase in each language: a text in any of them translates to the others.
PHRASES = [
    {
        "en": "The screen is cracked.",
        "fr": "L'écran est fissuré.",
        "de": "Der Bildschirm ist gesprungen.",
    },
    {
        "en": "We will send a replacement.",
        "fr": "Nous enverrons un remplacement.",
        "de": "Wir schicken einen Ersatz.",
    },
    {"en": "Thank you.", "fr": "Merci.", "de": "Danke."},
]


def dictionary_language(text: str) -> str | None:
    for phrase in PHRASES:
        for language, said in phrase.items():
            if said == text:
                return language
    return None


def translate(text: str, target: str) -> str:
    for phrase in PHRASES:
        if text in phrase.values() and target in phrase:
            return phrase[target]
    return f"[{target}] {text}"


def detect(text: str) -> str:
    if text.startswith("[") and "]" in text:
        return text[1 : text.index("]")]
    return dictionary_language(text) or "en"


class FakeEngine:
    def __init__(self, kind: str, port: int | None = None) -> None:
        assert kind in ("libretranslate", "deepl")
        self.kind = kind
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: Counter[str] = Counter()  # text → translate calls that answered 200
        self.received = 0  # requests that arrived, whatever they were answered
        self._failures: list[tuple[int, float | None]] = []  # (status, retry_after) to answer
        self.hang = 0.0  # seconds to sleep before answering
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> FakeEngine:
        self._thread.start()
        self.up()
        return self

    def __exit__(self, *_: object) -> None:
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    # -- controls -----------------------------------------------------------------------------

    def fail(self, status: int = 503, times: int = 1, retry_after: float | None = None) -> None:
        with self._lock:
            self._failures.extend([(status, retry_after)] * times)

    def rate_limit(self, times: int = 1, retry_after: float = 1) -> None:
        self.fail(429, times, retry_after)

    def up(self) -> None:
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    def down(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)

    @property
    def translated(self) -> int:
        return sum(self.requests.values())

    # -- the server ---------------------------------------------------------------------------

    async def _start(self) -> None:
        if self._runner is not None:
            return
        app = web.Application()
        if self.kind == "libretranslate":
            app.router.add_post("/translate", self._libre_translate)
            app.router.add_post("/detect", self._libre_detect)
            app.router.add_get("/languages", self._libre_languages)
        else:
            app.router.add_post("/v2/translate", self._deepl_translate)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _trouble(self) -> web.Response | None:
        self.received += 1
        if self.hang:
            await asyncio.sleep(self.hang)
        with self._lock:
            if not self._failures:
                return None
            status, retry_after = self._failures.pop(0)
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return web.json_response({"error": "try later"}, status=status, headers=headers)

    async def _libre_translate(self, request: web.Request) -> web.Response:
        if (trouble := await self._trouble()) is not None:
            return trouble
        body: dict[str, Any] = await request.json()
        source, target = body.get("source"), body.get("target")
        if source not in SUPPORTED | {"auto"} or target not in SUPPORTED:
            return web.json_response(
                {"error": f"{target} is not supported"}, status=400
            )  # LibreTranslate's own wording differs; the status is what matters
        if isinstance(body["q"], list):  # several texts of one language at once
            for text in body["q"]:
                self.requests[text] += 1
            return web.json_response({"translatedText": [translate(q, target) for q in body["q"]]})
        self.requests[body["q"]] += 1
        return web.json_response({"translatedText": translate(body["q"], target)})

    async def _libre_detect(self, request: web.Request) -> web.Response:
        if (trouble := await self._trouble()) is not None:
            return trouble
        body = await request.json()
        return web.json_response([{"language": detect(body["q"]), "confidence": 90.0}])

    async def _libre_languages(self, _request: web.Request) -> web.Response:
        return web.json_response([{"code": c, "name": c} for c in sorted(SUPPORTED)])

    async def _deepl_translate(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"DeepL-Auth-Key {DEEPL_KEY}":
            return web.json_response({"message": "Forbidden"}, status=403)
        if (trouble := await self._trouble()) is not None:
            return trouble
        body: dict[str, Any] = await request.json()
        target = str(body.get("target_lang", "")).split("-")[0].lower()
        given = body.get("source_lang")
        if target not in SUPPORTED or (given is not None and str(given).lower() not in SUPPORTED):
            return web.json_response(
                {"message": "Value for 'target_lang' not supported."}, status=400
            )
        texts = body.get("text") or []
        answers = []
        for text in texts:
            source = str(body.get("source_lang") or detect(text)).lower()
            self.requests[text] += 1
            answers.append(
                {
                    "detected_source_language": source.upper(),
                    "text": text if source == target else translate(text, target),
                }
            )
        return web.json_response({"translations": answers})
