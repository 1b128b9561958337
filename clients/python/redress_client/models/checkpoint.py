from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Checkpoint")


@_attrs_define
class Checkpoint:
    """What the signature covers: `position, events, chains, root, log_digest, at` (see
    `redress audit verify` and the README for the exact bytes).

        Attributes:
            algorithm (str): ed25519
            at (str): when it was signed (UTC, microseconds), exactly as signed
            chains (int): hash chains (cases' events, their translations) in the root
            events (int): events in the log up to that position
            key_id (str): first 16 hex digits of SHA-256 of the raw public key
            log_digest (str): running SHA-256 over the log in position order, hex
            position (int): the log position (notification id) signed
            public_key (str): the signer's raw Ed25519 public key, base64
            root (str): Merkle root (RFC 6962) of the chains' head hashes, hex
            signature (str): Ed25519 signature, base64
    """

    algorithm: str
    at: str
    chains: int
    events: int
    key_id: str
    log_digest: str
    position: int
    public_key: str
    root: str
    signature: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        algorithm = self.algorithm

        at = self.at

        chains = self.chains

        events = self.events

        key_id = self.key_id

        log_digest = self.log_digest

        position = self.position

        public_key = self.public_key

        root = self.root

        signature = self.signature

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "algorithm": algorithm,
                "at": at,
                "chains": chains,
                "events": events,
                "key_id": key_id,
                "log_digest": log_digest,
                "position": position,
                "public_key": public_key,
                "root": root,
                "signature": signature,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        algorithm = d.pop("algorithm")

        at = d.pop("at")

        chains = d.pop("chains")

        events = d.pop("events")

        key_id = d.pop("key_id")

        log_digest = d.pop("log_digest")

        position = d.pop("position")

        public_key = d.pop("public_key")

        root = d.pop("root")

        signature = d.pop("signature")

        checkpoint = cls(
            algorithm=algorithm,
            at=at,
            chains=chains,
            events=events,
            key_id=key_id,
            log_digest=log_digest,
            position=position,
            public_key=public_key,
            root=root,
            signature=signature,
        )

        checkpoint.additional_properties = d
        return checkpoint

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
