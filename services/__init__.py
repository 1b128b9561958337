"""Redress services: the application layer, the processes and their adapters."""
