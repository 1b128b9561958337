"""Translator metrics, on prometheus_client's default REGISTRY (served by `/metrics`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)

backlog = Gauge(
    "redress_translation_backlog", "Texts waiting for a translation (queued or being retried)."
)
translated = Counter(
    "redress_translations", "Translations recorded (MessageTranslated).", ["engine"]
)
failures = Counter(
    "redress_translation_failures",
    "Texts the engine refused for good (TranslationFailed); never retried.",
)
engine_errors = Counter(
    "redress_translation_engine_errors",
    "Engine requests that failed for now (down, slow, rate-limited); retried with backoff.",
)
latency = Histogram(
    "redress_translation_latency_seconds",
    "From a text's recording to its translation's recording (engine time included).",
    buckets=LATENCY_BUCKETS,
)
