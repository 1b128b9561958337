"""Notifier metrics, on prometheus_client's default registry: whatever serves `/metrics` in the
same process (`redress serve`'s API, or `REDRESS_METRICS_PORT` for `redress notifier`)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

attempts = Counter(
    "redress_webhook_attempts",
    "Webhook delivery attempts, by what became of the delivery.",
    ["result"],  # delivered | retrying | failed (the schedule is spent)
)
latency = Histogram(
    "redress_webhook_attempt_seconds",
    "How long a webhook attempt took, answer or not.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0),
)
fanned_out = Counter(
    "redress_notifier_events", "Events read from the log by the notifier's fan-out."
)
disabled = Counter(
    "redress_webhook_endpoints_disabled", "Endpoints disabled, by reason.", ["reason"]
)
mails = Counter("redress_notifier_mails", "Mails attempted, by result.", ["result"])
pruned = Counter("redress_pruned_rows", "Rows deleted after their retention, by table.", ["table"])
