from enum import StrEnum


class CaseCreateKind(StrEnum):
    COMPLAINT = "complaint"
    COUNTERFEIT = "counterfeit"
    DAMAGED_PARCEL = "damaged_parcel"
    EXCHANGE_REQUEST = "exchange_request"
    LOST_PARCEL = "lost_parcel"
    REFUND_ONLY = "refund_only"
    RETURN_REQUEST = "return_request"
    SEVEN_DAY_RETURN = "seven_day_return"
    WARRANTY_CLAIM = "warranty_claim"

    def __str__(self) -> str:
        return str(self.value)
