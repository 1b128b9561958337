"""Helpers shared by the test tiers (fixtures live in tests/conftest.py)."""
