"""Benchmarks that print figures; `make bench` runs them all (see __main__.py)."""
