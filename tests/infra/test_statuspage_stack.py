"""StatusPageStack: a private bucket behind CloudFront (OAC) with short and long caches; cdk-nag, cfn-lint."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.support import require_node, require_program, resources_of_type
from tests.infra.synth import cdk_json_context

STACK_ID = "KlaxonStatusPage"


def synth_statuspage(
    outdir: Path, context: dict[str, Any] | None = None, **props: Any
) -> tuple[dict[str, Any], str | None]:
    require_node()
    from aws_cdk import App

    from infra.nag import enable_cdk_nag
    from infra.statuspage_stack import StatusPageStack, statuspage_options

    app = App(
        context=cdk_json_context() | (context or {}),
        outdir=str(outdir),
        builtin_cloud_formation_validation=False,
    )
    StatusPageStack(app, STACK_ID, **statuspage_options(app), **props)
    enable_cdk_nag(app)
    failure = None
    try:
        app.synth()
    except RuntimeError as error:
        if "ValidationFailed" not in str(error):
            raise
        report = outdir / "validation-report.json"
        failure = report.read_text() if report.exists() else str(error)
    return json.loads((outdir / f"{STACK_ID}.template.json").read_text()), failure


@pytest.fixture(scope="module")
def statuspage(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str | None]:
    outdir = tmp_path_factory.mktemp("statuspage.out")
    template, failure = synth_statuspage(outdir)
    return outdir, template, failure


@pytest.fixture(scope="module")
def cfn(statuspage) -> dict[str, Any]:
    return statuspage[1]


def distribution(cfn: dict[str, Any]) -> dict[str, Any]:
    (found,) = resources_of_type(cfn, "AWS::CloudFront::Distribution").values()
    return found["Properties"]["DistributionConfig"]


def site_bucket(cfn: dict[str, Any]) -> dict[str, Any]:
    (found,) = [
        b["Properties"]
        for b in resources_of_type(cfn, "AWS::S3::Bucket").values()
        if "LoggingConfiguration" in b["Properties"]
    ]
    return found


def cache_policy(cfn: dict[str, Any], behavior: dict[str, Any]) -> dict[str, Any] | str:
    policy = behavior["CachePolicyId"]
    if isinstance(policy, str):
        return policy  # a managed policy, by id
    return cfn["Resources"][policy["Ref"]]["Properties"]["CachePolicyConfig"]


def test_cdk_nag_leaves_no_finding_unacknowledged(statuspage):
    assert statuspage[2] is None, statuspage[2]


def test_cfn_lint_finds_nothing_in_the_template(statuspage):
    cfn_lint = require_program("cfn-lint")
    template = statuspage[0] / f"{STACK_ID}.template.json"
    result = subprocess.run(
        [cfn_lint, "--ignore-checks", "W3005", "--", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_bucket_is_private_encrypted_and_logged(cfn):
    bucket = site_bucket(cfn)
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}


def test_only_cloudfront_reads_the_bucket_through_origin_access_control(cfn):
    (oac,) = resources_of_type(cfn, "AWS::CloudFront::OriginAccessControl").values()
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    statements = [
        s
        for p in resources_of_type(cfn, "AWS::S3::BucketPolicy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    readers = [s for s in statements if s["Effect"] == "Allow" and "s3:GetObject" in s["Action"]]
    assert [s["Principal"] for s in readers] == [{"Service": "cloudfront.amazonaws.com"}]


def test_html_and_json_are_cached_a_minute_at_most(cfn):
    policy = cache_policy(cfn, distribution(cfn)["DefaultCacheBehavior"])
    assert (policy["DefaultTTL"], policy["MaxTTL"]) == (60, 60)


def test_hashed_assets_use_the_long_lived_managed_cache_policy(cfn):
    (assets,) = [b for b in distribution(cfn)["CacheBehaviors"] if b["PathPattern"] == "assets/*"]
    assert cache_policy(cfn, assets) == "658327ea-f89d-4fab-a63d-7e88639e58f6"  # Managed-CachingOptimized


def test_the_json_api_may_be_read_from_other_sites(cfn):
    (api,) = [b for b in distribution(cfn)["CacheBehaviors"] if b["PathPattern"] == "api/*"]
    assert (
        api["ResponseHeadersPolicyId"] == "eaab4381-ed33-4a86-88ca-d9558dc6cd63"
    )  # CORS-with-preflight + security


def test_pages_are_served_over_https_with_a_csp_allowing_only_the_inline_script(cfn):
    from statuspage_site import inline_script_hashes

    default = distribution(cfn)["DefaultCacheBehavior"]
    (policy,) = resources_of_type(cfn, "AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"
    ]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert f"script-src {inline_script_hashes()[0]};" in csp["ContentSecurityPolicy"]


def test_the_root_serves_the_index(cfn):
    assert distribution(cfn)["DefaultRootObject"] == "index.html"


def test_the_publisher_role_has_a_name_the_platform_can_derive(cfn):
    (role,) = resources_of_type(cfn, "AWS::IAM::Role").values()
    assert role["Properties"]["RoleName"] == {
        "Fn::Join": ["", ["klaxon-statuspage-publisher-", {"Ref": "AWS::Region"}]]
    }


def test_the_publisher_may_write_pages_invalidate_and_read_its_parameter_only(cfn):
    (policy,) = resources_of_type(cfn, "AWS::IAM::Policy").values()
    actions = sorted(
        a
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    )
    assert actions == [
        "cloudfront:CreateInvalidation",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "ssm:DescribeParameters",
        "ssm:GetParameter",
        "ssm:GetParameterHistory",
        "ssm:GetParameters",
    ]


def test_the_parameter_names_the_bucket_and_the_distribution(cfn):
    (parameter,) = resources_of_type(cfn, "AWS::SSM::Parameter").values()
    assert parameter["Properties"]["Name"] == "/klaxon/statuspage/site"


def test_another_account_and_region_are_taken_from_context(tmp_path):
    context = {
        "klaxon:statuspageAccount": "210987654321",
        "klaxon:statuspageRegion": "eu-west-1",
        "klaxon:platformAccount": "123456789012",
    }
    template, _ = synth_statuspage(tmp_path, context)
    (role,) = resources_of_type(template, "AWS::IAM::Role").values()
    assert role["Properties"]["RoleName"] == "klaxon-statuspage-publisher-eu-west-1"
    principal = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"]
    assert "123456789012" in json.dumps(principal)


def test_a_custom_domain_gets_its_certificate_and_modern_tls(tmp_path):
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    template, failure = synth_statuspage(tmp_path, domain_names=["status.acme.example"], certificate_arn=arn)
    viewer = distribution(template)["ViewerCertificate"]
    assert (viewer["AcmCertificateArn"], viewer["MinimumProtocolVersion"], failure) == (
        arn,
        "TLSv1.2_2021",
        None,
    )


@pytest.fixture(scope="module")
def publisher_cfn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A function given the platform side of the status page, as PlatformStack does for statuspage_publish."""
    require_node()
    from aws_cdk import App, Stack
    from aws_cdk import aws_lambda as lambda_

    from infra.constructs.statuspage_publisher import StatusPagePublisher

    outdir = tmp_path_factory.mktemp("publisher.out")
    app = App(context=cdk_json_context(), outdir=str(outdir), builtin_cloud_formation_validation=False)
    stack = Stack(app, "Publisher")
    function = lambda_.Function(
        stack,
        "Publish",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="functions.statuspage_publish.handler",
        code=lambda_.Code.from_inline("def handler(event, context): pass"),
    )
    StatusPagePublisher(stack, "StatusPagePublisher", function=function)
    app.synth()
    return json.loads((outdir / "Publisher.template.json").read_text())


def publish_function(template: dict[str, Any]) -> str:
    (found,) = resources_of_type(template, "AWS::Lambda::Function")
    return found


def test_the_publish_function_is_told_the_role_region_and_parameter(publisher_cfn):
    variables = publisher_cfn["Resources"][publish_function(publisher_cfn)]["Properties"]["Environment"][
        "Variables"
    ]
    assert variables["KLAXON_STATUS_PARAMETER"] == "/klaxon/statuspage/site"
    assert variables["KLAXON_STATUS_REGION"] == {"Ref": "AWS::Region"}
    assert "klaxon-statuspage-publisher-" in json.dumps(variables["KLAXON_STATUS_ROLE_ARN"])


def test_the_publish_function_may_assume_exactly_the_publisher_role(publisher_cfn):
    statements = [
        s
        for policy in resources_of_type(publisher_cfn, "AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    (assume,) = [s for s in statements if s["Action"] == "sts:AssumeRole"]
    assert "role/klaxon-statuspage-publisher-" in json.dumps(assume["Resource"])


def test_the_csp_lets_a_configured_logo_load_over_https_and_nothing_else_from_other_hosts(cfn):
    (policy,) = resources_of_type(cfn, "AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"
    ]
    directives = dict(d.strip().split(" ", 1) for d in csp["ContentSecurityPolicy"].split(";"))
    assert directives["img-src"] == "'self' data: https:"
    assert (directives["default-src"], directives["style-src"]) == ("'none'", "'self'")


def test_the_statuspage_json_paths_widgets_read_get_cors_and_the_short_cache(cfn):
    # Statuspage's widget fetches <page origin>/api/v2/summary.json; readers the other api/v2 documents.
    (api,) = [b for b in distribution(cfn)["CacheBehaviors"] if b["PathPattern"] == "api/*"]
    policy = cache_policy(cfn, api)
    assert isinstance(policy, dict) and (policy["DefaultTTL"], policy["MaxTTL"]) == (60, 60)
    assert (
        api["ResponseHeadersPolicyId"] == "eaab4381-ed33-4a86-88ca-d9558dc6cd63"
    )  # Access-Control-Allow-Origin: *
