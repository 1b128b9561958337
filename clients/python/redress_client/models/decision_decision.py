from enum import StrEnum


class DecisionDecision(StrEnum):
    APPROVE = "approve"
    CONSUMER_GAVE_UP = "consumer_gave_up"
    REFUND_ONLY = "refund_only"
    REFUSE = "refuse"
    RESHIP = "reship"

    def __str__(self) -> str:
        return str(self.value)
