"""Incidents: the models, the lifecycle rules, dedup."""
