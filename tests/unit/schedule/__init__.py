"""Unit tests of the on-call schedule rules."""
