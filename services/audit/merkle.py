"""What a checkpoint commits to, computed the same way by the signer and by any verifier.

Merkle root of the hash chains' heads (RFC 6962's Merkle Tree Hash, section 2.1):
- one leaf per hash chain (a case's events, a case's translations), in ascending order of the
  chain's aggregate id taken as its 16 UUID bytes;
- leaf data = the 16 id bytes followed by the 32 bytes of the chain's head hash (the `hash` of
  its last event at the checkpoint's position); leaf hash = SHA-256(0x00 || data);
- node = SHA-256(0x01 || left || right), splitting n leaves at the largest power of two below n;
  no leaves: SHA-256 of nothing.

Log digest, over every event of the log in position order (chained or not, so that deleting,
inserting or reordering any event changes it): d0 = 32 zero bytes,
d = SHA-256(d || position (8 bytes, big-endian) || aggregate id (16 bytes) || version (8 bytes,
big-endian) || the event's chain hash (32 bytes; 32 zero bytes for an event outside a chain)).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from uuid import UUID

EMPTY_DIGEST = "0" * 64
_NO_HASH = bytes(32)


def leaf(chain_id: UUID, head_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + chain_id.bytes + bytes.fromhex(head_hash)).digest()


def merkle_root(heads: Iterable[tuple[UUID, str]]) -> str:
    """The root over (chain id, head hash) pairs, in any order (they are sorted here)."""
    leaves = [leaf(chain, head) for chain, head in sorted(heads, key=lambda h: h[0].bytes)]
    return _tree(leaves).hex()


def _tree(leaves: Sequence[bytes]) -> bytes:
    # Bottom-up, level by level: the same tree as RFC 6962's recursive definition, since an odd
    # node out is carried up unchanged until it pairs, which is where the split puts it.
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    while len(level) > 1:
        paired = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def digest_step(
    digest: str, position: int, aggregate_id: UUID, version: int, chain_hash: str | None
) -> str:
    """The log digest once the event at `position` is added."""
    hashed = bytes.fromhex(chain_hash) if chain_hash else _NO_HASH
    data = (
        bytes.fromhex(digest)
        + position.to_bytes(8, "big")
        + aggregate_id.bytes
        + version.to_bytes(8, "big")
        + hashed
    )
    return hashlib.sha256(data).hexdigest()
