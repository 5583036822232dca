"""A user's clone is alone on its machine: nothing the tests, benchmarks or CI run may read a path
outside the repository (the captures the tests use live in tests/fixtures/, byte-for-byte)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

SCANNED = ("tests", "bench", ".ci", "Makefile")
TEXT_SUFFIXES = {".py", ".sh", ".toml", ".cfg", ".ini", ".yaml", ".yml", ".json", ".mk", ""}
# `Path(__file__).resolve().parent.parent` or `.parents[2]`, optionally through a name bound to it.
ANCHOR = re.compile(r"Path\(__file__\)(?:\.resolve\(\))?((?:\.parent(?!s))*)(?:\.parents\[(\d+)\])?")
BOUND = re.compile(r"^(\w+)\s*(?::\s*\w+\s*)?=\s*(Path\(__file__\)[^\n#]*)", re.MULTILINE)
DOTDOT = re.compile(r"""(?:^|[\s'"=(:,])((?:\.\./|\.\.\\)+[^\s'")]*)""")
UP = r"""(?:\.parent(?!s)|\s*/\s*['"]\.\.['"])"""  # one level up from a bound name


def scanned_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for name in SCANNED:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts
            ]
    return found


def _inside(root: Path, target: Path) -> bool:
    resolved = target.resolve()
    return resolved == root or root in resolved.parents


def _anchor_dir(file: Path, chain: str, index: str | None) -> Path:
    """Where `Path(__file__)` followed by n `.parent` and an optional `.parents[i]` points."""
    here = file.resolve()
    for _ in range(chain.count(".parent")):
        here = here.parent
    return here.parents[int(index)] if index is not None else here


def escapes(root: Path, file: Path) -> list[str]:
    """Every way `file` names a path outside `root`: `..` paths, and `__file__` anchors climbing out."""
    root = root.resolve()
    text = file.read_text(errors="replace")
    found: list[str] = []
    for match in DOTDOT.finditer(text):
        literal = match.group(1).strip("'\"")
        if not all(_inside(root, base / literal) for base in (root, file.parent)):
            found.append(f"{file.relative_to(root)}: {literal!r} leaves the repository")
    if file.suffix != ".py":
        return found
    for match in ANCHOR.finditer(text):
        if not _inside(root, _anchor_dir(file, match.group(1), match.group(2))):
            found.append(f"{file.relative_to(root)}: {match.group(0)} leaves the repository")
    for name, expression in BOUND.findall(text):
        anchor = ANCHOR.match(expression)
        if anchor is None:
            continue
        base = _anchor_dir(file, anchor.group(1), anchor.group(2))
        uses = rf"\b{name}((?:{UP})+)(?:\.parents\[(\d+)\])?|\b{name}\.parents\[(\d+)\]"
        for use in re.finditer(uses, text):
            climbed = base
            for _ in re.findall(UP, use.group(1) or ""):
                climbed = climbed.parent
            index = use.group(2) or use.group(3)
            if index is not None:
                climbed = climbed.parents[int(index)]
            if not _inside(root, climbed):
                found.append(f"{file.relative_to(root)}: {use.group(0)} leaves the repository")
    return found


def test_nothing_the_tests_bench_or_ci_run_reads_outside_the_repository() -> None:
    here = Path(__file__).resolve()  # this file holds the ways out as data for the tests below
    files = [file for file in scanned_files(ROOT) if file.resolve() != here]
    assert len(files) > 100, files
    problems = [problem for file in files for problem in escapes(ROOT, file)]
    assert problems == []


def test_the_captures_the_tests_use_are_inside_the_repository() -> None:
    assert _inside(ROOT.resolve(), FIXTURES)
    for name in (
        "alertmanager-v4-firing.json",
        "alertmanager-v4-resolved.json",
        "cloudwatch-alarm-via-sns.json",
        "pagerduty-change-event.json",
        "pagerduty-events-v2-acknowledge.json",
        "pagerduty-events-v2-resolve.json",
        "pagerduty-events-v2-trigger.json",
    ):
        assert (FIXTURES / name).is_file(), name


# The folder beside the repository, spelled in pieces so that no scan of this file finds it.
NEIGHBOUR = "".join(("sha", "red"))
SIBLING = f"../{NEIGHBOUR}"


@pytest.mark.parametrize(
    "line",
    [
        f'FIXTURES = ROOT.parent / "{NEIGHBOUR}" / "fixtures"',
        f'FIXTURES = ROOT / ".." / "{NEIGHBOUR}"',
        f'FIXTURES = Path(__file__).resolve().parents[3] / "{NEIGHBOUR}"',
        f"data = open('{SIBLING}/fixtures/x.json')",
        f"\tcp {SIBLING}/fixtures/*.json tests/",
    ],
)
def test_the_scan_catches_each_way_out(tmp_path: Path, line: str) -> None:
    (tmp_path / "tests" / "sub").mkdir(parents=True)
    probe = tmp_path / "tests" / "sub" / "conftest.py"
    root = "ROOT = Path(__file__).resolve().parent.parent.parent"
    probe.write_text(f"from pathlib import Path\n{root}\n{line}\n")
    assert escapes(tmp_path, probe), line


def test_the_scan_accepts_paths_that_stay_inside(tmp_path: Path) -> None:
    (tmp_path / "tests" / "sub").mkdir(parents=True)
    probe = tmp_path / "tests" / "sub" / "conftest.py"
    probe.write_text(
        "from pathlib import Path\n"
        "ROOT = Path(__file__).resolve().parent.parent.parent\n"
        'FIXTURES = ROOT / "tests" / "fixtures"\n'
        "UP = Path(__file__).resolve().parents[1]\n"
        "x = open(ROOT / 'tests' / '..' / 'bench')\n"
    )
    assert escapes(tmp_path, probe) == []
