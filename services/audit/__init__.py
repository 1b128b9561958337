"""Signed checkpoints of the event log, kept outside the database (issue 21, part 3).

- `merkle`: the per-chain heads folded into a Merkle root, and the running digest of the log.
- `signing`: the Ed25519 key (`REDRESS_AUDIT_SIGNING_KEY`) and the exact bytes it signs.
- `checkpointer`: follows the log (tracked position, exactly one checkpoint per position) and
  signs its head every N events and every interval; `role` runs it beside the API or notifier.
- `publish`: each checkpoint as an `audit.checkpoint` webhook, and appended to a file.
- `verify`: the live log checked against checkpoints kept elsewhere (`redress audit verify`).
"""
