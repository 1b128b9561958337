"""Scheduler metrics, registered on prometheus_client's default REGISTRY: whatever serves
`/metrics` in the same process (`prometheus_client.generate_latest()`) exposes them."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# From "on time" to "the scheduler was down for days": the quality bar is p99 <= 1 s.
LATENESS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0, 86400.0)

lateness = Histogram(
    "redress_scheduler_lateness_seconds",
    "How long after its due_at a deadline fired (fired_at - due_at).",
    buckets=LATENESS_BUCKETS,
)
fired = Counter(
    "redress_scheduler_fired",
    "Deadlines whose timeout changed their case (a no-longer-pending deadline is not counted).",
    ["action"],
)
failed = Counter(
    "redress_scheduler_failed",
    "Timeouts that raised; the deadline stays pending and is retried by the next sweep.",
)
pending = Gauge(
    "redress_scheduler_pending_deadlines",
    "Deadlines in the index the sweeper has not acted on yet.",
)
