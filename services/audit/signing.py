"""The checkpoint signing key and the exact bytes a checkpoint signature covers.

`REDRESS_AUDIT_SIGNING_KEY` holds an Ed25519 private key, either as PEM (PKCS#8, `-----BEGIN
PRIVATE KEY-----`, as `openssl genpkey -algorithm ed25519` writes it) or as the base64 of its
raw 32-byte seed (`redress audit keygen` prints one). A public key for verifying is given the
same two ways: PEM (SubjectPublicKeyInfo) or the base64 of its raw 32 bytes.

Signed message: `redress-checkpoint-v1\\n` followed by the canonical JSON (keys sorted, no
spaces, UTF-8) of `{at, chains, events, log_digest, position, root}`, `at` written as
`YYYY-MM-DDTHH:MM:SS.ffffffZ`. The key id is the first 16 hex digits of SHA-256 of the raw
public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "ed25519"
CONTEXT = b"redress-checkpoint-v1\n"
SIGNED_FIELDS = ("at", "chains", "events", "log_digest", "position", "root")


class BadKey(ValueError):
    """A key that is neither PEM nor base64 of 32 raw bytes of the right kind."""


def format_time(at: datetime) -> str:
    """`at` as signed; a naive time (SQLite keeps no offset) is UTC."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def message(checkpoint: dict[str, Any]) -> bytes:
    """The bytes signed for a checkpoint (its public form, or its stored row as a dict)."""
    fields = {name: checkpoint[name] for name in SIGNED_FIELDS}
    if isinstance(fields["at"], datetime):
        fields["at"] = format_time(fields["at"])
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return CONTEXT + canonical.encode("utf-8")


def _raw(text: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise BadKey("not PEM, nor base64") from None
    if len(raw) != 32:
        raise BadKey(f"base64 of {len(raw)} bytes; an Ed25519 key is 32")
    return raw


def private_key(text: str) -> Ed25519PrivateKey:
    if "-----BEGIN" in text:
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as refused:
            raise BadKey(f"unreadable PEM private key: {refused}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise BadKey(f"a {type(key).__name__}, not an Ed25519 private key")
        return key
    return Ed25519PrivateKey.from_private_bytes(_raw(text))


def public_key(text: str) -> Ed25519PublicKey:
    if "-----BEGIN" in text:
        try:
            key = serialization.load_pem_public_key(text.encode())
        except (ValueError, TypeError) as refused:
            raise BadKey(f"unreadable PEM public key: {refused}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise BadKey(f"a {type(key).__name__}, not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(_raw(text))


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


@dataclass(frozen=True)
class Signer:
    key: Ed25519PrivateKey

    @classmethod
    def of(cls, text: str) -> Signer:
        return cls(private_key(text))

    @property
    def public(self) -> Ed25519PublicKey:
        return self.key.public_key()

    def sign(self, checkpoint: dict[str, Any]) -> dict[str, str]:
        """The signature fields a checkpoint is published with."""
        return {
            "algorithm": ALGORITHM,
            "key_id": key_id(self.public),
            "public_key": base64.b64encode(raw_public(self.public)).decode(),
            "signature": base64.b64encode(self.key.sign(message(checkpoint))).decode(),
        }


def signature_valid(key: Ed25519PublicKey, checkpoint: dict[str, Any]) -> bool:
    try:
        key.verify(base64.b64decode(checkpoint["signature"], validate=True), message(checkpoint))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def new_key() -> tuple[str, str]:
    """A fresh key pair: (the private seed, the public key), both base64 of raw bytes."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(seed).decode(), base64.b64encode(raw_public(key.public_key())).decode()
