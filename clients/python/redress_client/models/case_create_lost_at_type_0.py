from enum import StrEnum


class CaseCreateLostAtType0(StrEnum):
    AFTER_WAREHOUSE = "after_warehouse"
    BEFORE_WAREHOUSE = "before_warehouse"

    def __str__(self) -> str:
        return str(self.value)
