"""Paging use cases: escalation, acknowledgements, drills."""
