"""The email templates (Jinja2): a `Subject:` line, a blank line, then the body.

Each one receives `case_id`, `store_id`, `consumer_id`, `recipient_role` (`consumer` or
`store`), `event` (its type name), `occurred_at` and `data` (the event's own fields).
"""

from __future__ import annotations

_FOOTER = """
Case {{ case_id }} · store {{ store_id }}
This message was sent by Redress; the case history is the record of what happened."""

TEMPLATES = {
    "reminded.txt": """Subject: Reminder: case {{ case_id }} is waiting for your answer

A consumer's case is still waiting for your response (reminder {{ data.count }}).
Please respond before the deadline passes, or the case may be escalated or decided without you.
"""
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
    "closed.txt": """Subject: Case {{ case_id }} is closed

The case was closed ({{ reason }}) on {{ occurred_at }}.
"""
    + _FOOTER,
    "refunded.txt": """Subject: Refund recorded on case {{ case_id }}

A refund of {{ data.amount }} {{ data.currency }} was recorded (paid by the {{ data.payer }}).
The case is now closed.
"""
    + _FOOTER,
}

# Which events are mailed, with which template, to whom.
MAILED = {
    "Reminded": ("reminded.txt", ("store",)),
    "Warned": ("warned.txt", ("store",)),
    "Escalated": ("escalated.txt", ("consumer", "store")),
    "StoreClosed": ("store_closed.txt", ("consumer",)),
    "Closed": ("closed.txt", ("consumer", "store")),
    "AutoApproved": ("closed.txt", ("consumer", "store")),
    "ConsumerApproved": ("closed.txt", ("consumer", "store")),
    "Refunded": ("refunded.txt", ("consumer", "store")),
}
