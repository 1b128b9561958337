"""The translator's own settings (environment prefix `REDRESS_`, like every process)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from services.settings import Settings, _placeholder


class TranslatorSettings(Settings):
    """The engine and how the translator uses it, on top of the shared settings."""

    translator: Literal["none", "libretranslate", "deepl"] = Field(
        "none", description="the engine: none (originals only), libretranslate or deepl"
    )
    libretranslate_url: str | None = Field(
        None, description="the LibreTranslate server, e.g. https://translate.example"
    )
    libretranslate_api_key: str | None = Field(None, description="its API key, if it wants one")
    deepl_api_key: str | None = Field(None, description="the DeepL API key (required for deepl)")
    deepl_url: str | None = Field(
        None,
        description="the DeepL API base URL (default: api-free.deepl.com for a key ending "
        "in :fx, else api.deepl.com)",
    )
    translator_allowed_hosts: str = Field(
        "",
        description="comma-separated engine hosts that may resolve to loopback or private "
        "addresses (refused otherwise, as for webhooks)",
    )
    translator_timeout: float = Field(10.0, gt=0, description="seconds per engine request")
    translation_retry_max: float = Field(
        60.0, ge=1, description="the longest pause between retries of a text (seconds)"
    )
    translator_batch: int = Field(100, ge=1, description="texts claimed per batch")
    translator_concurrency: int = Field(32, ge=1, description="engine requests in flight")
    translator_workers: int = Field(
        4, ge=1, description="batches in progress at once per process (claim, ask, record)"
    )
    translator_interval: float = Field(
        0.2, gt=0, description="seconds between looks at the log when nothing wakes it sooner"
    )

    @model_validator(mode="after")
    def _engine_configured(self) -> TranslatorSettings:
        if self.translator == "libretranslate" and not self.libretranslate_url:
            raise ValueError("REDRESS_TRANSLATOR=libretranslate needs REDRESS_LIBRETRANSLATE_URL")
        if self.translator == "deepl" and not self.deepl_api_key:
            raise ValueError("REDRESS_TRANSLATOR=deepl needs REDRESS_DEEPL_API_KEY")
        keys = {
            "REDRESS_DEEPL_API_KEY": self.deepl_api_key,
            "REDRESS_LIBRETRANSLATE_API_KEY": self.libretranslate_api_key,
        }
        for name, key in keys.items():
            if self.environment != "development" and key is not None and _placeholder(key):
                raise ValueError(f"{name} is a placeholder; set a real key in {self.environment}")
        return self

    @property
    def allowed_hosts(self) -> frozenset[str]:
        return frozenset(
            h.strip().lower().strip("[]")
            for h in self.translator_allowed_hosts.split(",")
            if h.strip()
        )

    @property
    def lease(self) -> float:
        """Seconds a claimed text stays with its translator (a crashed one's come back)."""
        return 3 * self.translator_timeout

    @classmethod
    def of(cls, shared: Settings) -> TranslatorSettings:
        if isinstance(shared, TranslatorSettings):
            return shared
        return cls(**shared.model_dump())
