"""Synthesizing the Klaxon CDK app the way app.py and `cdk synth` do, into a folder tests can read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.infra.support import require_node

ROOT = Path(__file__).resolve().parents[2]
STACK_ID = "Klaxon"


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    template: dict[str, Any]  # the stack's CloudFormation template
    nag_failure: str | None  # the ValidationFailed message, None when every finding was acknowledged
    report: dict[str, Any] | None  # validation-report.json, when synth wrote one


def cdk_json_context() -> dict[str, Any]:
    """The context `cdk synth` passes the app (feature flags), so tests build what the CLI builds."""
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def synthesize(
    outdir: Path, *, nag: bool, context: dict[str, Any] | None = None, **stack: Any
) -> Synthesized:
    """Synthesize PlatformStack as app.py does, without CDK's slow built-in CloudFormation validation."""
    require_node()
    from aws_cdk import App

    from infra.nag import enable_cdk_nag
    from infra.platform_stack import PlatformStack

    app = App(
        context=cdk_json_context() | (context or {}),
        outdir=str(outdir),
        builtin_cloud_formation_validation=False,
    )
    PlatformStack(app, STACK_ID, **stack)
    if nag:
        enable_cdk_nag(app)
    nag_failure = None
    try:
        app.synth()
    except RuntimeError as error:  # jsii surfaces ValidationFailed as a RuntimeError
        if "ValidationFailed" not in str(error):
            raise
        nag_failure = str(error)
    report_file = outdir / "validation-report.json"
    return Synthesized(
        outdir=outdir,
        template=json.loads((outdir / f"{STACK_ID}.template.json").read_text()),
        nag_failure=nag_failure,
        report=json.loads(report_file.read_text()) if report_file.exists() else None,
    )
