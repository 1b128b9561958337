from enum import StrEnum


class Status(StrEnum):
    AWAITING_CONSUMER = "awaiting_consumer"
    AWAITING_STORE = "awaiting_store"
    CLOSED = "closed"
    ESCALATED = "escalated"
    IN_PROGRESS = "in_progress"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return str(self.value)
