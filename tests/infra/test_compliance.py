"""cdk-nag (AwsSolutions) and cfn-lint pass on the synthesized stack; app.py synthesizes under cdk-nag."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.infra.support import require_node, require_program
from tests.infra.synth import ROOT, STACK_ID, Synthesized, cdk_json_context


def _violations(report: dict[str, Any] | None) -> list[str]:
    return [
        f"{violation['ruleName']} at {construct['constructPath']}"
        for plugin in (report or {}).get("pluginReports", [])
        for violation in plugin["violations"]
        if violation["severity"] == "error" or plugin["pluginName"] != "Construct Annotations"
        for construct in violation["violatingConstructs"]
    ]


def _acknowledged(template: dict[str, Any]) -> list[dict[str, str]]:
    return [
        rule
        for resource in template["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]


def test_cdk_nag_leaves_no_finding_unacknowledged(synthesized: Synthesized) -> None:
    assert synthesized.nag_failure is None, "\n".join(_violations(synthesized.report))


def test_every_acknowledged_finding_carries_its_reason_in_the_template(synthesized: Synthesized) -> None:
    acknowledged = _acknowledged(synthesized.template)
    assert acknowledged, "cdk-nag wrote no acknowledgements: is the AwsSolutions pack registered?"
    assert [rule["id"] for rule in acknowledged if len(rule["reason"]) < 40] == []


def test_cdk_nag_fails_the_synth_on_a_finding_nobody_acknowledged(tmp_path: Path) -> None:
    # The guard against a silently disabled pack: a bare queue must fail synth (SQS3, SQS4).
    require_node()
    from aws_cdk import App, Stack
    from aws_cdk import aws_sqs as sqs

    from infra.nag import enable_cdk_nag

    app = App(outdir=str(tmp_path), builtin_cloud_formation_validation=False)
    sqs.Queue(Stack(app, "Careless"), "Queue")
    enable_cdk_nag(app)
    try:
        app.synth()
    except RuntimeError as error:
        assert "ValidationFailed" in str(error)
    else:
        raise AssertionError("synth passed with an unacknowledged cdk-nag finding")
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert "AwsSolutions-SQS4 at Careless/Queue/Resource" in _violations(report)


def test_cfn_lint_finds_nothing_in_the_template(synthesized: Synthesized) -> None:
    cfn_lint = require_program("cfn-lint")
    template = synthesized.outdir / f"{STACK_ID}.template.json"
    # W3005 (DependsOn already implied by a GetAtt) is in every CDK template: CDK adds it on purpose.
    result = subprocess.run(
        [cfn_lint, "--ignore-checks", "W3005", "--", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_py_synthesizes_the_platform_under_cdk_nag(tmp_path: Path) -> None:
    require_node()
    environment = os.environ | {
        "CDK_OUTDIR": str(tmp_path),
        "CDK_CONTEXT_JSON": json.dumps(cdk_json_context()),
        "CDK_VALIDATION": "false",
    }
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((tmp_path / f"{STACK_ID}.template.json").read_text())
    assert _acknowledged(template), "app.py synthesized without cdk-nag"
