"""The translator's composition root: the engine `REDRESS_TRANSLATOR` names, and the
translator over the application and the database."""

from __future__ import annotations

import ssl

from sqlalchemy import Engine

from services.application import Redress
from services.notifier.ssrf import Guard, Resolver
from services.translator.backoff import Backoff
from services.translator.deepl import DeepL
from services.translator.engines import TranslationEngine
from services.translator.http import EngineHttp
from services.translator.libretranslate import LibreTranslate
from services.translator.settings import TranslatorSettings
from services.translator.worker import Translator


def engine_for(
    settings: TranslatorSettings,
    tls: ssl.SSLContext | None = None,
    resolver: Resolver | None = None,
) -> TranslationEngine | None:
    """The configured engine (None for `none`). Texts go to this engine only."""
    http = EngineHttp(
        Guard(settings.allowed_hosts, resolver),
        settings.translator_timeout,
        tls,
        limit=settings.translator_concurrency,
    )
    if settings.translator == "libretranslate":
        assert settings.libretranslate_url is not None  # the settings check it
        return LibreTranslate(http, settings.libretranslate_url, settings.libretranslate_api_key)
    if settings.translator == "deepl":
        assert settings.deepl_api_key is not None
        return DeepL(http, settings.deepl_api_key, settings.deepl_url)
    return None


def translator(
    settings: TranslatorSettings, app: Redress, db: Engine, engine: TranslationEngine
) -> Translator:
    return Translator(
        app,
        db,
        engine,
        Backoff(cap=settings.translation_retry_max),
        batch=settings.translator_batch,
        lease=settings.lease,
        concurrency=settings.translator_concurrency,
        workers=settings.translator_workers,
    )
