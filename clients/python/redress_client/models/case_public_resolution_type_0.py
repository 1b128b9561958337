from enum import StrEnum


class CasePublicResolutionType0(StrEnum):
    AGREED = "agreed"
    AUTO_APPROVED = "auto_approved"
    CONSUMER_CLOSED = "consumer_closed"
    CONSUMER_GAVE_UP = "consumer_gave_up"
    PROTECTION_REFUND = "protection_refund"
    REFUNDED = "refunded"
    RULED_FOR_CONSUMER = "ruled_for_consumer"
    RULED_FOR_STORE = "ruled_for_store"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
