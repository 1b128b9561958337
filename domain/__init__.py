"""Redress domain: cases, stores, platform policies and business calendars.

Pure Python on top of `eventsourcing`'s aggregate base: no I/O, no clock reads.
Time arrives as an argument to every command.
"""
