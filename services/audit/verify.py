"""The live log checked against checkpoints kept outside the database.

One pass over the log in position order, which recomputes at each checkpoint's position what
the checkpoint signed (event count, log digest, Merkle root of the chain heads: services.audit
.merkle), and checks on the way what needs no checkpoint: each aggregate's versions follow one
another in the log, and each hash chain links and recomputes (domain.case.verify_chain's rule).

What each finding tells (`position` is the first position that is, or may be, bad):
- `bad_signature`: a checkpoint the public key did not sign; it is not used further.
- `out_of_order`, `chain_broken`: exact positions, found in the log itself.
- `missing`: fewer events up to a checkpoint than it counted (events deleted); when the log
  stops short of the checkpoint, the first position after its last surviving event.
- `inserted`, `rewritten` (a chain's head differs: an event altered and the rest of its chain
  rehashed), `reordered` (the digest differs, counts and heads agree): somewhere after the last
  checkpoint that matched and up to this one (`upto`); more checkpoints narrow it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.application import Application

from domain.hashchain import GENESIS
from services.audit.checkpointer import chain_hash_of
from services.audit.merkle import EMPTY_DIGEST, digest_step, merkle_root
from services.audit.signing import signature_valid
from services.eventstore.log_pages import page_after

PAGE = 1_000


@dataclass(frozen=True)
class Finding:
    kind: str
    position: int
    detail: str
    upto: int | None = None  # the finding lies in [position, upto] (None: exactly there)


@dataclass
class Report:
    checkpoints: list[dict[str, Any]]
    matched: dict[int, bool] = field(default_factory=dict)  # checkpoint position → matched
    findings: list[Finding] = field(default_factory=list)
    events: int = 0
    chains: int = 0
    last_position: int = 0

    @property
    def valid(self) -> bool:
        return not self.findings

    @property
    def first_bad(self) -> Finding | None:
        """The earliest fault in the log: an exact finding, or a range that no exact finding
        explains (a range holding one is that fault seen from a checkpoint). A forged
        checkpoint is a fault of the checkpoints, named only when the log shows none."""
        in_log = [f for f in self.findings if f.kind != "bad_signature"]
        exact = [f.position for f in in_log if f.upto is None]
        unexplained = [
            f
            for f in in_log
            if f.upto is None or not any(f.position <= at <= f.upto for at in exact)
        ]
        return min(unexplained or self.findings, key=lambda f: f.position, default=None)


@dataclass
class _Log:
    """The log as read so far: what a checkpoint at the current position would sign."""

    events: int = 0
    digest: str = EMPTY_DIGEST
    last_position: int = 0
    heads: dict[UUID, str] = field(default_factory=dict)
    versions: dict[UUID, int] = field(default_factory=dict)
    broken: set[UUID] = field(default_factory=set)


def verify(
    app: Application[Any], checkpoints: Iterable[dict[str, Any]], key: Ed25519PublicKey
) -> Report:
    """Check every signature, then the live log against the checkpoints that are genuine."""
    report = Report(sorted(checkpoints, key=lambda c: int(c["position"])))
    genuine = []
    for checkpoint in report.checkpoints:
        if signature_valid(key, checkpoint):
            genuine.append(checkpoint)
        else:
            report.findings.append(
                Finding(
                    "bad_signature",
                    int(checkpoint["position"]),
                    f"the checkpoint at position {checkpoint['position']} is not signed by "
                    "this public key (forged, altered, or another key's)",
                )
            )
    log, good = _Log(), 0
    pending = iter(genuine)
    due = next(pending, None)
    for position, event in _logged(app):
        while due is not None and int(due["position"]) < position:
            good = _compare(report, log, due, good)
            due = next(pending, None)
        _read(report, log, position, event)
    while due is not None:
        good = _compare(report, log, due, good)
        due = next(pending, None)
    report.events, report.chains, report.last_position = (
        log.events,
        len(log.heads),
        log.last_position,
    )
    return report


def _logged(app: Application[Any]) -> Iterator[tuple[int, Any]]:
    after = 0
    while page := page_after(app.recorder, after, PAGE):
        for logged in page:
            yield logged.id, app.mapper.to_domain_event(logged)  # type: ignore[arg-type]
        after = page[-1].id


def _read(report: Report, log: _Log, position: int, event: Any) -> None:
    aggregate, version = event.originator_id, event.originator_version
    hashed = chain_hash_of(event)
    log.events, log.last_position = log.events + 1, position
    log.digest = digest_step(log.digest, position, aggregate, version, hashed)
    expected = log.versions.get(aggregate, 0) + 1
    log.versions[aggregate] = version
    if hashed is not None:
        previous = log.heads.get(aggregate, GENESIS)
        log.heads[aggregate] = hashed
    if aggregate in log.broken:
        return  # its first fault is reported; what follows it would only repeat it
    if version != expected:
        log.broken.add(aggregate)
        report.findings.append(
            Finding(
                "out_of_order",
                position,
                f"aggregate {aggregate}: version {version} where version {expected} was due",
            )
        )
    elif hashed is not None and (event.prev_hash != previous or event.expected_hash() != hashed):
        log.broken.add(aggregate)
        report.findings.append(
            Finding(
                "chain_broken",
                position,
                f"aggregate {aggregate} version {version}: its hash does not follow the chain",
            )
        )


def _compare(report: Report, log: _Log, checkpoint: dict[str, Any], good: int) -> int:
    """Compare the log as read with a checkpoint at or after its last position; returns the
    position of the last checkpoint that matched."""
    at, counted = int(checkpoint["position"]), int(checkpoint["events"])
    found: Finding | None = None
    if log.events < counted:
        start = log.last_position + 1 if log.last_position < at else good + 1
        found = Finding(
            "missing",
            start,
            f"the checkpoint at position {at} counted {counted} events; the log has "
            f"{log.events} up to there ({counted - log.events} deleted)",
            at,
        )
    elif log.events > counted:
        found = Finding(
            "inserted",
            good + 1,
            f"the checkpoint at position {at} counted {counted} events; the log has {log.events}",
            at,
        )
    elif merkle_root(log.heads.items()) != checkpoint["root"]:
        found = Finding(
            "rewritten",
            good + 1,
            f"the chain heads differ from the checkpoint at position {at}: an event was "
            "altered and its chain rehashed",
            at,
        )
    elif log.digest != checkpoint["log_digest"]:
        found = Finding(
            "reordered",
            good + 1,
            f"the order of the log differs from the checkpoint at position {at} (events "
            "swapped or moved)",
            at,
        )
    report.matched[at] = found is None
    if found is None:
        return at
    if all(m for position, m in report.matched.items() if position != at):
        report.findings.append(found)  # the first checkpoint that fails; later ones repeat it
    return good
