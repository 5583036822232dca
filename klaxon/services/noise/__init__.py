"""Noise use cases: noise control for the router, maintenance windows, heartbeats, the noise report."""
