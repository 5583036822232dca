"""Klaxon: serverless incident response that runs in your own AWS account."""

__version__ = "0.1.0"
