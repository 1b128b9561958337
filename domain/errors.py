"""Domain errors. Each names the business rule it enforces, so the API can report it."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused; nothing was recorded."""

    rule: str = "domain_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class FilingWindowClosed(DomainError):
    rule = "filing_window"


class KindNotOffered(DomainError):
    rule = "kind_not_offered"


class StepNotOffered(DomainError):
    rule = "step_not_offered"


class UnknownStore(DomainError):
    rule = "unknown_store"


class DeclaredBelowReceipt(DomainError):
    rule = "declared_below_receipt"


class ExplanationRequired(DomainError):
    rule = "explanation_required"


class CapExceeded(DomainError):
    """Above a cap, or a cap that cannot be checked because no exchange rate is configured."""

    rule = "cap_exceeded"


class RefundExceedsPaid(DomainError):
    """Refunds on a case would total more than the consumer paid (or cannot be compared with
    it: a refund in another currency without a configured rate)."""

    rule = "refund_exceeds_paid"


class AlreadyRefunded(DomainError):
    """A second return on an order whose earlier case ended with a refund (geli)."""

    rule = "already_refunded"


class NotAllowedInStatus(DomainError):
    rule = "not_allowed_in_status"


class NotYetAllowed(DomainError):
    rule = "not_yet_allowed"


class NotEligible(DomainError):
    """The goods, plan or parcel are not covered for this request."""

    rule = "not_eligible"


class DocumentsMissing(DomainError):
    """A filing lacks documents its kind requires; the detail names them."""

    rule = "documents_missing"


class InvalidField(DomainError):
    """A field the policy reads is missing or malformed (e.g. buyippee without a plan)."""

    rule = "invalid_field"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field


class PolicyError(Exception):
    """A policy data file is malformed; raised at start-up, naming the file and field."""
