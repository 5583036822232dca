"""`python -m klaxon.cli`."""

from klaxon.cli import app

app()
