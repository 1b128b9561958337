from enum import StrEnum


class SuspendReason(StrEnum):
    JUDICIAL = "judicial"
    NEGOTIATION = "negotiation"
    THIRD_PARTY = "third_party"

    def __str__(self) -> str:
        return str(self.value)
