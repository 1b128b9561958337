from enum import StrEnum


class SuspensionProofAuthority(StrEnum):
    COURT = "court"
    POLICE = "police"

    def __str__(self) -> str:
        return str(self.value)
