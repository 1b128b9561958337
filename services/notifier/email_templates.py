"""The email templates (Jinja2): a `Subject:` line, a blank line, then the body.

Each one receives `case_id`, `store_id`, `consumer_id`, `recipient_role` (`consumer` or
`store`), `event` (its type name), `occurred_at`, `data` (the event's own fields),
`resolution` (how the case ended, when this event ended it; else None) and `ending` (the
resolution in words, or None).
"""

from __future__ import annotations

from domain.statuses import RESOLUTIONS

_FOOTER = """
Case {{ case_id }} · store {{ store_id }}
This message was sent by Redress; the case history is the record of what happened."""

_ENDED = """{% if resolution %}The case is now closed: {{ ending }}.
{% endif %}"""

# How a case ended, in words (PLATFORMS.md, "How a case ends").
ENDINGS = {
    "agreed": "the consumer approved the store's proposal",
    "refunded": "the consumer was refunded in full",
    "auto_approved": "the request was approved automatically, as the store did not answer in time",
    "ruled_for_consumer": "the platform's staff ruled for the consumer",
    "ruled_for_store": "the platform's staff ruled for the store",
    "protection_refund": "the platform refunded the consumer under its purchase protection",
    "consumer_closed": "the consumer closed it",
    "consumer_gave_up": "the consumer did not take the next step in time",
    "withdrawn": "the consumer withdrew it",
}
assert tuple(ENDINGS) == RESOLUTIONS

TEMPLATES = {
    "reminded.txt": """{% if recipient_role == "consumer" -%}
Subject: We have reminded the store about your case {{ case_id }}

The store has not answered your case in time, so it has been sent a reminder
(reminder {{ data.count }}). You need not do anything now: you will hear from us when the store
answers or when your case moves on.
{% else -%}
Subject: Reminder: case {{ case_id }} is waiting for your answer

A consumer's case is still waiting for your response (reminder {{ data.count }}).
Please respond before the deadline passes, or the case may be escalated or decided without you.
{% endif %}"""
    + _FOOTER,
    "warned.txt": """Subject: Warning: a deadline on case {{ case_id }} was missed

A deadline on this case passed without an answer from your store (warning {{ data.count }}).
Repeated warnings can cost a platform certificate.
"""
    + _FOOTER,
    "escalated.txt": """Subject: Case {{ case_id }} has been escalated

{% if recipient_role == "consumer" %}Your case has been handed to the platform's dispute staff.
{% else %}The case has been handed to the platform's dispute staff.
{% endif %}Reason: {{ data.reason }}{% if data.note %} — {{ data.note }}{% endif %}
"""
    + _FOOTER,
    "store_closed.txt": """Subject: The store has answered your case {{ case_id }}

The store closed its side of the case with the decision: {{ data.decision }}.
{% if data.refund_amount %}Refund offered: {{ data.refund_amount }}.
{% endif %}{% if data.note %}Note from the store: {{ data.note }}
{% endif %}Please approve the outcome or reject it with an explanation.
"""
    + _FOOTER,
    "closed.txt": """Subject: Case {{ case_id }} has ended

The case ended on {{ occurred_at }}: {{ ending }}.
"""
    + _FOOTER,
    "auto_approved.txt": """Subject: Case {{ case_id }} was approved automatically

The store did not decide on the request in time, so it was approved automatically.
{% if resolution %}"""
    + _ENDED
    + """{% elif recipient_role == "consumer" -%}
It has the effect of the store's approval. If you asked to return or exchange the goods,
please send them back now and upload the waybill; a refund you asked for without a return is
recorded at once (a separate message tells you).
{% else -%}
It has the effect of your approval: the consumer sends the goods back next, or, on a
refund-only request, the refund asked for is recorded at once.
{% endif %}"""
    + _FOOTER,
    "refunded.txt": """Subject: Refund recorded on case {{ case_id }}

A refund of {{ data.amount }} {{ data.currency }} was recorded (paid by the {{ data.payer }}).
"""
    + _ENDED
    + """{% if data.awaits_consumer and recipient_role == "consumer" -%}
Please approve this refund as the outcome of your case, or reject it with an explanation.
{% elif data.awaits_consumer %}The consumer is asked to approve it as the outcome of the case.
{% endif %}"""
    + _FOOTER,
    "ruled.txt": """Subject: The platform has ruled on case {{ case_id }}

The platform's dispute staff ruled for the {{ data.in_favour_of }}.
Their reasons: {{ data.note }}
{% if data.refund_amount -%}
The consumer is refunded {{ data.refund_amount }} (paid by the {{ data.payer }}).
{% elif data.in_favour_of == "consumer" -%}
Staff keep the case while the consumer's remedy is settled.
{% endif %}"""
    + _ENDED
    + _FOOTER,
    "consumer_may_close.txt": """Subject: You may now close your case {{ case_id }}

The store has not resolved your case within the time the platform allows.
You may now close the case yourself, or keep it open if you still expect an answer.
"""
    + _FOOTER,
}

# Which events are mailed, with which template, to whom.
MAILED = {
    "Reminded": ("reminded.txt", ("consumer", "store")),
    "Warned": ("warned.txt", ("store",)),
    "Escalated": ("escalated.txt", ("consumer", "store")),
    "StoreClosed": ("store_closed.txt", ("consumer",)),
    "Ruled": ("ruled.txt", ("consumer", "store")),
    "ConsumerCloseAllowed": ("consumer_may_close.txt", ("consumer",)),
    "Closed": ("closed.txt", ("consumer", "store")),
    "AutoApproved": ("auto_approved.txt", ("consumer", "store")),
    "ConsumerApproved": ("closed.txt", ("consumer", "store")),
    "Withdrawn": ("closed.txt", ("store",)),
    "Refunded": ("refunded.txt", ("consumer", "store")),
}
