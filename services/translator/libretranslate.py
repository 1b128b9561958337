"""LibreTranslate, the self-hosted open-source engine: `POST /detect` `{q}` →
`[{language, confidence}]`; `POST /translate` `{q, source, target, format}` →
`{translatedText}`; an optional `api_key` in both bodies. A 400 (e.g. a language the server
does not have) refuses the text for good."""

from __future__ import annotations

from typing import Any

from domain.languages import primary, same_language
from services.translator.engines import EngineRefused, EngineUnavailable, Translated
from services.translator.http import Answer, EngineHttp, unavailable_unless_ok


class LibreTranslate:
    name = "libretranslate"

    def __init__(self, http: EngineHttp, url: str, api_key: str | None = None) -> None:
        self.http, self.url, self.api_key = http, url.rstrip("/"), api_key

    async def translate(self, text: str, source: str | None, target: str) -> Translated:
        source = source or await self.detect(text)
        if same_language(source, target):
            return Translated(text, source)
        answer = await self._post(
            "/translate",
            {"q": text, "source": primary(source), "target": primary(target), "format": "text"},
        )
        body = answer.body.get("translatedText") if isinstance(answer.body, dict) else None
        if not isinstance(body, str):
            raise EngineUnavailable(f"translate: unexpected answer {str(answer.body)[:200]}")
        return Translated(body, source)

    async def translate_many(
        self, texts: list[str], source: str | None, target: str
    ) -> list[Translated]:
        """One request for texts of a known language (`q` as a list); a text whose
        language is unknown is detected first, so those go one by one."""
        if source is None or len(texts) == 1:
            return [await self.translate(text, source, target) for text in texts]
        if same_language(source, target):
            return [Translated(text, source) for text in texts]
        answer = await self._post(
            "/translate",
            {"q": texts, "source": primary(source), "target": primary(target), "format": "text"},
        )
        found = answer.body.get("translatedText") if isinstance(answer.body, dict) else None
        if not isinstance(found, list) or len(found) != len(texts):
            raise EngineUnavailable(f"translate: unexpected answer {str(answer.body)[:200]}")
        return [Translated(str(body), source) for body in found]

    async def detect(self, text: str) -> str:
        answer = await self._post("/detect", {"q": text})
        found = answer.body if isinstance(answer.body, list) else []
        candidates = [
            c for c in found if isinstance(c, dict) and isinstance(c.get("language"), str)
        ]
        if not candidates:
            raise EngineRefused("the engine could not tell the text's language")
        best = max(candidates, key=lambda c: float(c.get("confidence") or 0))
        return str(best["language"])

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _post(self, path: str, body: dict[str, Any]) -> Answer:
        if self.api_key:
            body = {**body, "api_key": self.api_key}
        answer = await self.http.post(self.url + path, body=body)
        unavailable_unless_ok(answer, path.lstrip("/"))
        if answer.status == 400:
            raise EngineRefused(_error(answer))
        if answer.status != 200:
            raise EngineUnavailable(f"{path.lstrip('/')}: HTTP {answer.status}", answer.retry_after)
        return answer


def _error(answer: Answer) -> str:
    if isinstance(answer.body, dict) and isinstance(answer.body.get("error"), str):
        return str(answer.body["error"])[:300]
    return f"HTTP {answer.status}"
