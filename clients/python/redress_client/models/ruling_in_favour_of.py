from enum import StrEnum


class RulingInFavourOf(StrEnum):
    CONSUMER = "consumer"
    STORE = "store"

    def __str__(self) -> str:
        return str(self.value)
