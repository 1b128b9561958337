"""What a case holds, and the changes its events make to it (`domain.case_events` evolve it;
`domain.case.Case` adds the commands). Kept apart from the aggregate so the events need not
import it: the aggregate imports its events, never the other way round."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from datetime import datetime
from typing import Any

from domain.calendar import BusinessCalendar
from domain.deadlines import Deadline
from domain.hashchain import GENESIS
from domain.sealing import subject_of
from domain.statuses import Status


class CaseState:
    def __init__(self) -> None:
        self.platform = self.store_id = self.consumer_id = self.kind = self.description = ""
        self.policy_version = 1  # the policy version the case follows for good (Submitted)
        self.status: str = Status.AWAITING_STORE
        self.order: dict[str, Any] = {}
        self.language: str | None = None
        self.fields: dict[str, Any] = {}
        self.certified = False
        self.calendar = BusinessCalendar("GB", "Europe/London")
        self.created_at: datetime | None = None
        self.updated_at: datetime | None = None
        self.deadlines: list[Deadline] = []
        self.paused_deadlines: list[dict[str, Any]] = []
        self.status_before_suspension: str | None = None
        self.refunds: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.reminders = self.warnings = 0
        self.consumer_may_close = False
        self.last_decision: str | None = None
        self.refund_without_return: bool | None = None
        self.return_shipment: dict[str, Any] | None = None
        self.return_received = False
        self.resolution: str | None = None
        self.escalated = False  # staff have had the case (a rejection returns it to them)
        self.proposal: dict[str, Any] | None = None  # what the consumer is asked to approve
        self.ruling: dict[str, Any] | None = None
        self.settlement: dict[str, Any] | None = None
        self.suspension_reason: str | None = None
        self.diagnosis: str | None = None
        self.head_hash = GENESIS
        self.erased_keys: list[str] = []  # subject keys shredded (SubjectErased)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        """A copy to change (a command copies the cached case). Its messages are shared: a
        message is written once and never changed in place (`SubjectErased` replaces the
        whole list), and copying each one cost a command 2.7 ms on a 300-message case."""
        copied = type(self).__new__(type(self))
        memo[id(self)] = copied
        for name, value in vars(self).items():
            copied.__dict__[name] = list(value) if name == "messages" else deepcopy(value, memo)
        return copied

    @property
    def subject_id(self) -> str:
        """The case's data subject: its consumer (domain.sealing)."""
        return subject_of(self.platform, self.consumer_id)

    def end(self, resolution: str, status: Status = Status.CLOSED) -> None:
        """The case has ended: nothing but messages (and payout bookkeeping) changes it now."""
        self.status, self.resolution, self.proposal = status, resolution, None
        self.paused_deadlines = []  # a case that ends while suspended has nothing left to run

    def add_message(
        self,
        version: int,
        author: dict[str, str],
        at: datetime,
        body: str,
        language: str | None,
        attachments: Sequence[str] = (),
    ) -> None:
        """A message, its id the case version that recorded it."""
        self.messages.append(
            {
                "id": version,
                "author": author,
                "body": body,
                "language": language,
                "attachments": list(attachments),
                "at": at,
            }
        )
