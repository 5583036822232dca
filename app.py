"""CDK entry point: builds Klaxon's stacks under cdk-nag, nothing else."""

from __future__ import annotations

import os

from aws_cdk import App

from infra.nag import enable_cdk_nag
from infra.platform_stack import PlatformStack
from infra.statuspage_stack import StatusPageStack, statuspage_options

# CDK's built-in CloudFormation validation adds 6-10 s to every synth; CDK_VALIDATION=false skips it.
app = App(builtin_cloud_formation_validation=os.environ.get("CDK_VALIDATION", "").lower() != "false")
PlatformStack(app, "Klaxon", description="Klaxon incident response: API, functions, event bus, tables")
StatusPageStack(
    app,
    "KlaxonStatusPage",
    description="Klaxon status page: private bucket and CloudFront, apart from the platform",
    **statuspage_options(app),
)
enable_cdk_nag(app)
app.synth()
