from enum import StrEnum


class RulingPayerType0(StrEnum):
    PLATFORM = "platform"
    STORE = "store"

    def __str__(self) -> str:
        return str(self.value)
