"""What a checkpoint commits to and how it is signed: the Merkle root is RFC 6962's, the
signature covers every signed field, and keys are read as PEM or base64 raw bytes."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.merkle import EMPTY_DIGEST, digest_step, leaf, merkle_root
from services.audit.signing import (
    SIGNED_FIELDS,
    BadKey,
    Signer,
    message,
    new_key,
    private_key,
    public_key,
    signature_valid,
)


def rfc6962(leaves: list[bytes]) -> bytes:
    """Merkle Tree Hash as RFC 6962 section 2.1 writes it (recursive split)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962(leaves[:k]) + rfc6962(leaves[k:])).digest()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100])
def test_the_root_is_rfc_6962s_merkle_tree_hash_over_heads_sorted_by_id(n: int) -> None:
    heads = [(uuid4(), hashlib.sha256(str(i).encode()).hexdigest()) for i in range(n)]
    ordered = sorted(heads, key=lambda h: h[0].bytes)
    assert merkle_root(heads) == rfc6962([leaf(c, h) for c, h in ordered]).hex()
    assert merkle_root(reversed(heads)) == merkle_root(heads)


def test_a_leaf_is_the_hash_of_a_zero_byte_the_id_and_the_head() -> None:
    chain, head = UUID(int=1), "ab" * 32
    expected = hashlib.sha256(b"\x00" + chain.bytes + bytes.fromhex(head)).hexdigest()
    assert merkle_root([(chain, head)]) == expected


def test_the_digest_depends_on_order() -> None:
    a, b = (1, UUID(int=1), 1, "11" * 32), (2, UUID(int=2), 1, None)
    one = digest_step(digest_step(EMPTY_DIGEST, *a), *b)
    other = digest_step(digest_step(EMPTY_DIGEST, *b), *a)
    assert one != other


def checkpoint() -> dict[str, object]:
    return {
        "position": 1000,
        "events": 1000,
        "chains": 12,
        "root": "aa" * 32,
        "log_digest": "bb" * 32,
        "at": datetime(2026, 12, 6, 4, 0, 0, 123456, tzinfo=UTC),
    }


def test_the_signed_bytes_are_documented_canonical_json() -> None:
    assert message(checkpoint()) == (
        b"redress-checkpoint-v1\n"
        b'{"at":"2026-12-06T04:00:00.123456Z","chains":12,"events":1000,'
        b'"log_digest":"' + b"bb" * 32 + b'","position":1000,"root":"' + b"aa" * 32 + b'"}'
    )


@pytest.mark.parametrize("name", SIGNED_FIELDS)
def test_changing_any_signed_field_breaks_the_signature(name: str) -> None:
    seed, public = new_key()
    fields = checkpoint()
    signed = {**fields, **Signer.of(seed).sign(fields)}
    assert signature_valid(public_key(public), signed)
    other = {"at": datetime(2026, 12, 6, 4, 0, 1, tzinfo=UTC), "root": "cc" * 32}
    forged = {**signed, name: other.get(name, "dd" * 32 if name == "log_digest" else 999)}
    assert not signature_valid(public_key(public), forged)


def test_keys_are_read_as_pem_or_base64_raw() -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    signed = {**checkpoint(), **Signer(private_key(pem)).sign(checkpoint())}
    assert Signer.of(base64.b64encode(raw).decode()).sign(checkpoint()) == Signer.of(pem).sign(
        checkpoint()
    )
    assert signature_valid(public_key(public_pem), signed)
    assert signature_valid(public_key(str(signed["public_key"])), signed)


@pytest.mark.parametrize("bad", ["not a key", base64.b64encode(b"short").decode(), "-----BEGIN x"])
def test_an_unreadable_key_is_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(BadKey):
        private_key(bad)
