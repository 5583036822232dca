"""`make up` installs only what running needs; `make test` adds the rest (scripts/install.py)."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

from tests.conftest import ROOT

NOT_FOR_RUNNING = ("aws-cdk-lib", "cdk-nag", "playwright", "ruff", "mypy", "pytest", "cfn-lint", "hypothesis")


def _installer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("install", ROOT / "scripts" / "install.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _packages(steps: list[tuple[str, list[str]]]) -> set[str]:
    return {re.split(r"[\[<>=!~ ]", r, maxsplit=1)[0] for _, rs in steps for r in rs if not r.startswith("-")}


def test_running_installs_the_runtime_the_emulation_and_the_cli_only() -> None:
    packages = _packages(_installer().plan("run"))
    assert {"boto3", "pynamodb", "pydantic", "aws-lambda-powertools", "moto", "typer", "httpx"} <= packages
    assert not packages & set(NOT_FOR_RUNNING)


def test_testing_installs_everything_running_does_and_the_tools() -> None:
    installer = _installer()
    assert _packages(installer.plan("run")) < _packages(installer.plan("test"))
    assert set(NOT_FOR_RUNNING) <= _packages(installer.plan("test"))


def test_each_install_ends_with_klaxon_itself_in_named_steps() -> None:
    for kind in ("run", "test"):
        steps = _installer().plan(kind)
        assert steps[-1][1] == ["--no-deps", "-e", "."]
        assert all(what and requirements for what, requirements in steps)


def test_make_up_uses_the_running_install_and_make_test_the_full_one() -> None:
    makefile = (ROOT / "Makefile").read_text()
    up = re.search(r"^up: (.+)$", makefile, re.MULTILINE)
    test = re.search(r"^test: (.+)$", makefile, re.MULTILINE)
    assert up is not None and test is not None
    assert up.group(1).split()[0] == "$(RUN_STAMP)"
    assert "$(STAMP)" in test.group(1).split()
    assert re.search(r"^\$\(RUN_STAMP\):.*\n\t\$\(PYTHON\) scripts/install.py run$", makefile, re.MULTILINE)
    assert re.search(r"^\$\(STAMP\):.*\n\t\$\(PYTHON\) scripts/install.py test$", makefile, re.MULTILINE)
