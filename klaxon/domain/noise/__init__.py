"""Noise: grouping, inhibition, maintenance windows, muting, heartbeats, the noise report."""
