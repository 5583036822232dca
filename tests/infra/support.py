"""Helpers for the infra tier: outside programs, and reading a synthesized CloudFormation template."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

Resources = dict[str, dict[str, Any]]


def require_program(name: str) -> str:
    """The path of `name`, the venv's own first; missing, the test fails (`make test` installs it)."""
    beside_python = Path(sys.executable).parent / name
    path = str(beside_python) if beside_python.is_file() else shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: `make test` installs it")
    return path


def require_node() -> None:
    """CDK runs on Node.js (jsii): without it nothing synthesizes."""
    if not os.environ.get("JSII_NODE"):
        require_program("node")


def resources_of_type(template: dict[str, Any], resource_type: str) -> Resources:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == resource_type}


def ref(value: object) -> str | None:
    """The logical id a `Ref` or `Fn::GetAtt` points at (None for anything else)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def resource_name(value: object) -> str:
    """An IAM resource as text: `*`, `<LogicalId>` or `<LogicalId>/suffix` for Fn::Join'ed ARNs."""
    if isinstance(value, str):
        return value
    target = ref(value)
    if target is not None:
        return f"<{target}>"
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(resource_name(part) for part in parts)
    raise ValueError(f"unexpected IAM resource {value!r}")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def function_logical_id(template: dict[str, Any], name: str) -> str:
    """The Lambda function of klaxon.topology.FUNCTIONS[name], found by its handler."""
    from klaxon.topology import FUNCTIONS

    handler = FUNCTIONS[name].handler
    (logical_id,) = [
        lid
        for lid, function in resources_of_type(template, "AWS::Lambda::Function").items()
        if function["Properties"]["Handler"] == handler
    ]
    return logical_id


def environment_refs(template: dict[str, Any], variable: str) -> set[str | None]:
    """What `variable` points at, across every function that has it (a single resource, normally)."""
    return {
        ref(function["Properties"]["Environment"]["Variables"][variable])
        for function in resources_of_type(template, "AWS::Lambda::Function").values()
        if variable in function["Properties"].get("Environment", {}).get("Variables", {})
    }


def table_logical_ids(template: dict[str, Any]) -> dict[str, str]:
    """Each table kind's logical id, found through its TABLE_ENV variable on the functions."""
    from klaxon.adapters.tables import TABLE_ENV

    tables = {}
    for kind, variable in TABLE_ENV.items():
        targets = environment_refs(template, variable)
        assert len(targets) == 1, f"{variable} points at {targets or 'nothing'}"
        (tables[kind],) = targets
    return tables  # type: ignore[return-value]


def grants(template: dict[str, Any], role: str) -> set[tuple[str, str]]:
    """Every (action, resource) the policies attached to `role` allow; resources as `<LogicalId>/...`."""
    allowed = set()
    for policy in resources_of_type(template, "AWS::IAM::Policy").values():
        if role not in {ref(r) for r in policy["Properties"]["Roles"]}:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow", statement
            for action in as_list(statement["Action"]):
                allowed |= {(action, resource_name(r)) for r in as_list(statement["Resource"])}
    return allowed


def denies_plain_http(match: Any) -> Any:
    """A policy-document matcher: a Deny statement on requests without TLS (`enforceSSL`)."""
    return {
        "Statement": match.array_with(
            [match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
        )
    }
