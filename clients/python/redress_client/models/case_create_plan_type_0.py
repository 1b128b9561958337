from enum import StrEnum


class CaseCreatePlanType0(StrEnum):
    BASIC = "basic"
    PLUS = "plus"
    SUPER_CARE = "super_care"

    def __str__(self) -> str:
        return str(self.value)
