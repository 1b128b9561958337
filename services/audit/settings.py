"""Checkpoint settings (environment prefix `REDRESS_`, like every process)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from services.audit.signing import BadKey, private_key
from services.settings import Settings


class AuditSettings(Settings):
    """`REDRESS_AUDIT_*` on top of the shared settings; no signing key: no checkpoints."""

    audit_signing_key: str | None = Field(
        None,
        description="Ed25519 private key signing checkpoints: PEM (PKCS#8) or base64 raw seed",
    )
    audit_checkpoint_every: int = Field(1_000, ge=1, description="events between two checkpoints")
    audit_checkpoint_interval: float = Field(
        600.0, gt=0, description="seconds after which new events are checkpointed anyway"
    )
    audit_checkpoint_file: Path | None = Field(
        None, description="a file each checkpoint is appended to as one JSON line"
    )
    audit_checkpoint_poll: float = Field(
        1.0, gt=0, description="seconds between looks at the log for new events"
    )

    @model_validator(mode="after")
    def _readable_key(self) -> AuditSettings:
        """A key that cannot sign stops the process at start-up, not at the first checkpoint."""
        if self.audit_signing_key:
            try:
                private_key(self.audit_signing_key)
            except BadKey as refused:
                raise ValueError(f"REDRESS_AUDIT_SIGNING_KEY: {refused}") from None
        return self

    @classmethod
    def of(cls, shared: Settings) -> AuditSettings:
        """The checkpointer's settings for a process configured with the shared ones."""
        if isinstance(shared, AuditSettings):
            return shared
        return cls(**shared.model_dump())
