from enum import StrEnum


class StoreCloseDecision(StrEnum):
    OTHER = "other"
    REFUND = "refund"
    REJECT = "reject"
    REPAIR = "repair"
    REPLACE = "replace"

    def __str__(self) -> str:
        return str(self.value)
