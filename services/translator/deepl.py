"""DeepL API v2: `POST /v2/translate` with `Authorization: DeepL-Auth-Key KEY` and
`{text: [..], target_lang, source_lang?}` → `{translations: [{detected_source_language,
text}]}`. Without `source_lang` DeepL detects the language itself (it has no separate
detection call). A 400 (e.g. a target it does not offer) refuses the text for good; 429 and
456 (quota) are waited out."""

from __future__ import annotations

from typing import Any

from domain.languages import primary, same_language
from services.translator.engines import EngineRefused, EngineUnavailable, Translated
from services.translator.http import EngineHttp, unavailable_unless_ok

FREE_API = "https://api-free.deepl.com"
PRO_API = "https://api.deepl.com"
# DeepL names English and Portuguese targets by variety; a bare tag gets the European one.
VARIETIES = {"en": "EN-GB", "pt": "PT-PT"}


def default_url(api_key: str) -> str:
    """Free-plan keys end in `:fx` and have their own host."""
    return FREE_API if api_key.endswith(":fx") else PRO_API


def target_code(tag: str) -> str:
    parts = tag.split("-")
    language = primary(tag)
    if language in VARIETIES:
        region = next((p.upper() for p in parts[1:] if len(p) == 2), None)
        return f"{language.upper()}-{region}" if region else VARIETIES[language]
    return language.upper()


class DeepL:
    name = "deepl"

    def __init__(self, http: EngineHttp, api_key: str, url: str | None = None) -> None:
        self.http, self.api_key = http, api_key
        self.url = (url or default_url(api_key)).rstrip("/")

    async def translate(self, text: str, source: str | None, target: str) -> Translated:
        return (await self.translate_many([text], source, target))[0]

    async def translate_many(
        self, texts: list[str], source: str | None, target: str
    ) -> list[Translated]:
        """Up to 50 texts a request, as DeepL allows; without a source, DeepL detects each."""
        if source is not None and same_language(source, target):
            return [Translated(text, source) for text in texts]
        body: dict[str, Any] = {"text": texts, "target_lang": target_code(target)}
        if source is not None:
            body["source_lang"] = primary(source).upper()
        answer = await self.http.post(
            self.url + "/v2/translate",
            body=body,
            headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"},
        )
        unavailable_unless_ok(answer, "translate")
        if answer.status == 400:
            message = answer.body.get("message") if isinstance(answer.body, dict) else None
            raise EngineRefused(str(message or "HTTP 400")[:300])
        if answer.status != 200:
            raise EngineUnavailable(f"translate: HTTP {answer.status}", answer.retry_after)
        return _translations(answer.body, len(texts), source)

    async def aclose(self) -> None:
        await self.http.aclose()


def _translations(body: Any, count: int, source: str | None) -> list[Translated]:
    try:
        found = [
            Translated(str(t["text"]), source or str(t["detected_source_language"]).lower())
            for t in body["translations"]
        ]
    except (KeyError, TypeError):
        raise EngineUnavailable(f"translate: unexpected answer {str(body)[:200]}") from None
    if len(found) != count:
        raise EngineUnavailable(f"translate: {len(found)} answers for {count} texts")
    return found
