"""Runbooks: which one an incident's responders should open, chosen from its opening alert."""
