"""Alembic migrations for every table the Redress services own."""
