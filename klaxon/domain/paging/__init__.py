"""Paging: escalation, policies, pages and their messages, acknowledge codes, drills."""
