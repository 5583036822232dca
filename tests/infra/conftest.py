"""Infra tier: the CDK app synthesized once per session under cdk-nag, read by every test."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from tests.infra.support import require_node
from tests.infra.synth import Synthesized, synthesize

if TYPE_CHECKING:
    from aws_cdk.assertions import Match, Template

# jsii prints an end-of-life banner for Node 20 on every start; the Makefile silences it the same way.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


# The deployment's own paging identities, as `cdk deploy -c klaxon:smsOrigination=...` passes them.
MESSAGING_CONTEXT = {
    "klaxon:smsOrigination": "+15550100000",
    "klaxon:voiceOrigination": "+15550100001",
    "klaxon:emailFrom": "Klaxon <pages@acme.example>",
    "klaxon:pushApplicationArn": "arn:aws:sns:us-east-1:123456789012:app/GCM/klaxon",
    "klaxon:publicUrl": "https://klaxon.acme.example",
}


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The stack as deployed, under cdk-nag, with no dependency layer built (a fresh clone)."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    return synthesize(outdir, nag=True, layer_dir=outdir.parent / "no-layer")


@pytest.fixture(scope="session")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """A second deployment (`-c klaxon:name=klaxon-staging`), with the layer `make deploy` builds."""
    layer_dir = tmp_path_factory.mktemp("layer")
    (layer_dir / "python" / "dependency").mkdir(parents=True)
    (layer_dir / "python" / "dependency" / "__init__.py").write_text("")
    return synthesize(
        tmp_path_factory.mktemp("cdk.out"),
        nag=False,
        context={"klaxon:name": "klaxon-staging", **MESSAGING_CONTEXT},
        layer_dir=layer_dir,
    )


# The abuse options turned the other way (issue 12 §6): the WAF web ACL on, reservations changed and one
# removed.
ABUSE_CONTEXT = {
    "klaxon:waf": "true",
    "klaxon:wafRateLimit": "1200",
    "klaxon:routerConcurrency": "35",
    "klaxon:apiConcurrency": "none",
}


@pytest.fixture(scope="session")
def hardened(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The stack with `-c klaxon:waf=true` and changed reservations, under cdk-nag."""
    outdir = tmp_path_factory.mktemp("cdk.out")
    return synthesize(outdir, nag=True, context=ABUSE_CONTEXT, layer_dir=outdir.parent / "no-layer")


@pytest.fixture(scope="session")
def cfn(synthesized: Synthesized) -> dict[str, Any]:
    """The synthesized template as plain JSON, for tests that walk it."""
    return synthesized.template


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> Template:
    from aws_cdk.assertions import Template

    return Template.from_json(synthesized.template)


@pytest.fixture(scope="session")
def match() -> type[Match]:
    require_node()
    from aws_cdk.assertions import Match

    return Match
