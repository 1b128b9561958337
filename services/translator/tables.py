"""The translator's work queue, on the shared metadata (migrations/versions/0005_translator.py).

One row per (text, language) still to translate. Rows are written in the same transaction
that advances the translator's position in the log (so none is lost or written twice) and
deleted once the translation, or a refusal, is recorded in the event store.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text

from projections.tables import metadata

TZ = DateTime(timezone=True)

translation_jobs = Table(
    "translation_jobs",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("message_id", String(64), primary_key=True),  # "3" or "Submitted:1"
    Column("target", String(64), primary_key=True),  # BCP 47 tag
    Column("source_version", Integer, nullable=False),  # the case event that holds the text
    Column("field", String(32), nullable=False),  # which of its fields
    Column("source", String(64)),  # the text's language; NULL: detect it first
    Column("written_at", TZ, nullable=False),  # when the text was recorded (latency figures)
    Column("attempts", Integer, nullable=False),
    # Due time of the next attempt; a claim moves it a lease ahead, so a killed translator's
    # rows come back on their own.
    Column("next_attempt_at", TZ, nullable=False),
    Column("last_error", Text),
    Index("ix_translation_jobs_next_attempt_at", "next_attempt_at"),
)

# Totals for the dashboard, counted as the translator's position passes each recorded event
# (same transaction as the position: exactly once): `translated`, `failed`.
translation_totals = Table(
    "translation_totals",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("count", BigInteger, nullable=False),
)
