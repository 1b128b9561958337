"""The per-case SHA-256 hash chain: each event's hash covers the previous one."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot hash {type(value).__name__}")


def canonical_json(payload: dict[str, Any]) -> str:
    """Sorted keys, no spaces, text as itself: the standard module's output, which every
    hash ever recorded covers. orjson writes it when every value is of a type whose text the
    two agree on (`_plain`), at a third of the cost; anything else goes to the standard
    module (a float, which orjson may write another way, a subclass, an integer beyond 64
    bits, a key that is not text)."""
    try:
        return orjson.dumps(_plain(payload), option=orjson.OPT_SORT_KEYS).decode()
    except (_NotPlain, orjson.JSONEncodeError):
        return standard_json(payload)


def standard_json(payload: dict[str, Any]) -> str:
    """canonical_json as the standard module writes it, as every hash was first computed."""
    return json.dumps(
        payload, default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


class _NotPlain(Exception):
    """A value orjson might not write as the standard module does."""


_AS_LIST = frozenset({list, tuple, set, frozenset})


def _plain(value: Any) -> Any:
    """`value` as plain JSON values, as `_default` has the standard module see it."""
    kind = type(value)
    if kind is dict:  # text, the commonest value, is kept here rather than in a call
        return {k: v if type(v) is str else _plain(v) for k, v in value.items()}
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is datetime:
        return value.astimezone(UTC).isoformat()
    if kind in _AS_LIST:
        return [v if type(v) is str else _plain(v) for v in value]
    if kind is Decimal or kind is UUID:
        return str(value)
    raise _NotPlain


def chain_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()
