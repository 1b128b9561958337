from enum import StrEnum


class RefundInPayer(StrEnum):
    PLATFORM = "platform"
    STORE = "store"

    def __str__(self) -> str:
        return str(self.value)
