"""Intake use cases: accept an alert and put it on the bus."""
