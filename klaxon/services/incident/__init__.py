"""Incident use cases: route alerts into incidents, acknowledge, resolve."""
