"""What a complete, eligible filing carries on each platform (PLATFORMS.md, 2nd ed.): the
documents, forms and eligibility fields beyond a plan and a declared value. Tests that file
cases merge these in; a test of a refusal overrides a field, or drops it by giving None."""

from __future__ import annotations

from typing import Any

CLAIM_DOCUMENTS = ["purchase_record", "seller_shipping_email", "photos", "seller_correspondence"]
RETURN_DOCUMENTS = ["purchase_record", "seller_correspondence", "weight_and_size", "seller_contact"]
COMPLETE: dict[tuple[str, str], dict[str, Any]] = {
    ("globalbuy", "seven_day_return"): {"no_reason_return": True},
    ("geli", "seven_day_return"): {"no_reason_return": True},
    ("bigben", "return_request"): {"withdrawal_form": "uploads/withdrawal-1.pdf"},
    ("buyippee", "lost_parcel"): {"documents": CLAIM_DOCUMENTS},
    ("buyippee", "damaged_parcel"): {"documents": CLAIM_DOCUMENTS, "packaging": "cardboard"},
    ("buyippee", "return_request"): {
        "documents": RETURN_DOCUMENTS,
        "origin_country": "US",
        "seller_accepts_return": True,
    },
}


def complete(platform: str, kind: str, **given: Any) -> dict[str, Any]:
    """The fields of a complete filing of `kind`, with `given` on top."""
    return {**COMPLETE.get((platform, kind), {}), **given}
