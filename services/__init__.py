"""Redress services: the use cases, the processes, their entry points and the event-store
plumbing, in layers that import only downwards (docs/architecture.md)."""
