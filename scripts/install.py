#!/usr/bin/env python3
"""Install what `make up` or `make test` needs into .venv, in named steps, with the time each took.

`run`: what running the platform needs: [project.dependencies], the `local` extra (the embedded AWS
emulation and the CLI) and Klaxon itself. `test` adds the `dev` and `infra` extras (pytest, linters,
CDK, Playwright, ...). Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
SELF = re.compile(r"^klaxon\[([^\]]+)\]$")


def _extras(project: dict, names: list[str]) -> list[str]:
    """The requirements of these extras, with `klaxon[x,y]` self-references expanded."""
    optional = project["optional-dependencies"]
    found: list[str] = []
    for name in names:
        for requirement in optional[name]:
            nested = SELF.match(requirement.replace(" ", ""))
            found += _extras(project, nested.group(1).split(",")) if nested else [requirement]
    return list(dict.fromkeys(found))


def plan(kind: str) -> list[tuple[str, list[str]]]:
    """The steps of an install: (what, pip requirements); `-e .` installs Klaxon itself, no deps."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    steps = [
        (
            "runtime dependencies ([project.dependencies], what every Lambda function ships)",
            list(project["dependencies"]),
        ),
        ("the local platform and the CLI (the `local` extra)", _extras(project, ["local"])),
    ]
    if kind == "test":
        have = {r for _, requirements in steps for r in requirements}
        rest = [r for r in _extras(project, ["dev"]) if r not in have]
        steps.append(("tests, linters, CDK and Playwright (the `dev` extra)", rest))
    steps.append(("Klaxon itself, editable, with the `klaxon` command", ["--no-deps", "-e", "."]))
    return steps


def _pip(requirements: list[str]) -> tuple[int, list[str]]:
    """Run pip, printing each package as it is collected; the exit code and what it installed."""
    command = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off"]
    process = subprocess.Popen(
        [*command, *requirements], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    output: list[str] = []
    installed: list[str] = []
    for line in process.stdout:
        output.append(line)
        if line.startswith("Collecting "):
            print(f"      + {line.split()[1]}", flush=True)
        elif line.startswith("Successfully installed "):
            installed = line.split()[2:]
    code = process.wait()
    if code != 0:
        sys.stdout.write("".join(output[-40:]))
    return code, installed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["run", "test"])
    parser.add_argument("--dry-run", action="store_true", help="print the steps and packages only")
    args = parser.parse_args()
    steps = plan(args.kind)
    total = len(steps) + 1
    if args.dry_run:
        for number, (what, requirements) in enumerate(steps, start=2):
            print(f"[{number}/{total}] {what}: {' '.join(requirements)}")
        return 0
    started = time.monotonic()
    print(f"[1/{total}] virtual environment {VENV.relative_to(ROOT)}", flush=True)
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    for number, (what, requirements) in enumerate(steps, start=2):
        began = time.monotonic()
        print(f"[{number}/{total}] {what}", flush=True)
        code, installed = _pip(requirements)
        if code != 0:
            print(f"pip failed ({code}) installing {what}", file=sys.stderr)
            return code
        done = f"{len(installed)} installed" if installed else "already installed"
        print(f"      {done} in {time.monotonic() - began:.0f} s", flush=True)
    print(
        f"installed for `make {'up' if args.kind == 'run' else 'test'}` in {time.monotonic() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
