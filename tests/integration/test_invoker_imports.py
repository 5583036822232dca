"""Function modules are imported once, at start, in one thread: imported on first use by the invoker's
threads, two of them importing modules that import each other raised `_DeadlockError` in one (seen under
the soak), and that invocation failed."""

from __future__ import annotations

import importlib

import pytest

from klaxon.local.invoker import Invoker
from klaxon.topology import FUNCTIONS


def test_every_handler_is_loaded_before_any_invocation(monkeypatch: pytest.MonkeyPatch):
    invoker = Invoker(async_workers=1)
    try:
        invoker.load_handlers()

        def no_import_now(name: str, package: str | None = None) -> None:
            raise AssertionError(f"{name} imported on first use, in an invoking thread")

        monkeypatch.setattr(importlib, "import_module", no_import_now)
        for name, function in FUNCTIONS.items():
            assert callable(invoker.handler(name)), name
            assert invoker.handler(name).__name__ == function.handler.rpartition(".")[2]
    finally:
        invoker.shutdown()
