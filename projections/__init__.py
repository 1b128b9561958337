"""Read models built from the event log, each with a tracked position."""
