"""The scheduler: a deadline index kept from the event log, and a sweeper that sends each case
the timeout command for its expired deadlines (see index.py, sweeper.py, runner.py)."""
