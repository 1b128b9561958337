"""Webhook secrets and signatures (Standard Webhooks, signed by the `standardwebhooks` package).

A secret is `whsec_` + base64 of 32 random bytes, shown to its owner once. It is kept so that
it can sign: sealed with AES-GCM when `REDRESS_ENCRYPTION_KEY` is set (the same key as the
events at rest), as is otherwise. While a rotated-out secret is still valid, every message
carries two signatures, space-separated: `v1,<new> v1,<old>`.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment
from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
SEALED_PREFIX = "aesgcm:"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class SecretBox:
    """Seals secrets at rest when a key is configured; opens what it (or no key) sealed."""

    def __init__(self, encryption_key: str | None) -> None:
        self._cipher = (
            AESCipher(Environment(env={"CIPHER_KEY": encryption_key})) if encryption_key else None
        )

    def seal(self, secret: str) -> str:
        if self._cipher is None:
            return secret
        sealed = self._cipher.encrypt(secret.encode())
        return SEALED_PREFIX + base64.b64encode(sealed).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED_PREFIX):
            return stored
        if self._cipher is None:
            raise RuntimeError("a webhook secret is sealed but REDRESS_ENCRYPTION_KEY is unset")
        return self._cipher.decrypt(base64.b64decode(stored[len(SEALED_PREFIX) :])).decode()


def signature_headers(
    message_id: str, body: bytes, at: datetime, secrets_in_force: Sequence[str]
) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt, signed with every secret in force."""
    at = at.astimezone(UTC)
    text = body.decode()
    signatures = " ".join(Webhook(s).sign(message_id, at, text) for s in secrets_in_force)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }
