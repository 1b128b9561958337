from enum import StrEnum


class DiagnosisOutcome(StrEnum):
    FIXED_REMOTELY = "fixed_remotely"
    NOT_COVERED = "not_covered"
    RETURN_NEEDED = "return_needed"

    def __str__(self) -> str:
        return str(self.value)
