"""The projector process: keeps the read models (projections/) in step with the event log."""
