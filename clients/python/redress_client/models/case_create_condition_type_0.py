from enum import StrEnum


class CaseCreateConditionType0(StrEnum):
    NEW = "new"
    USED = "used"

    def __str__(self) -> str:
        return str(self.value)
