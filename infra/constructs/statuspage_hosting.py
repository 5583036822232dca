"""The static status page: a private bucket served only through CloudFront (origin access control)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.constructs.access_logs import access_log_bucket
from infra.constructs.statuspage_target import StatusPageTarget
from infra.nag import acknowledge, logical_id
from statuspage_site import HASHED_PREFIX, inline_script_hashes

# HTML, JSON and feeds change with incidents: the edge keeps them a minute at most, and the publisher
# invalidates exactly the files it changed. Hashed assets never change under their name.
SHORT_TTL = Duration.seconds(60)


def content_security_policy() -> str:
    """Only this site's stylesheet, data: images (the favicon), an https: image (a configured logo) and
    the one inline script, by its hash."""
    scripts = " ".join(inline_script_hashes())
    return (
        "default-src 'none'; style-src 'self'; img-src 'self' data: https:; "
        f"script-src {scripts}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


class StatusPageSite(Construct):
    """Bucket, distribution, the parameter naming both, and the role the platform's publisher assumes."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        publisher: iam.IPrincipal,
        domain_names: Sequence[str] = (),
        certificate_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # CloudFront standard logging writes with an ACL grant to its log-delivery account.
        self.logs = access_log_bucket(self, writers=s3.ObjectOwnership.OBJECT_WRITER, whose="the status page")
        self.bucket = self._build_site_bucket(self.logs)
        self.distribution = self._build_distribution(domain_names, certificate_arn)
        target = StatusPageTarget.of(self)
        self.parameter = ssm.StringParameter(
            self,
            "Site",
            parameter_name=target.parameter_name,
            description="The status page's bucket and CloudFront distribution, read by the publisher",
            string_value=Stack.of(self).to_json_string(
                {"bucket": self.bucket.bucket_name, "distribution_id": self.distribution.distribution_id}
            ),
        )
        self.publisher_role = self._build_publisher_role(target, publisher)

    def _build_site_bucket(self, logs: s3.IBucket) -> s3.Bucket:
        return s3.Bucket(
            self,
            "Pages",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            # SSE-S3 keeps an object's ETag its MD5, which is how the publisher skips unchanged files.
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[s3.LifecycleRule(noncurrent_version_expiration=Duration.days(30))],
            server_access_logs_bucket=logs,
            server_access_logs_prefix="s3/",
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _build_distribution(
        self, domain_names: Sequence[str], certificate_arn: str | None
    ) -> cloudfront.Distribution:
        origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Status page: HSTS, no framing or sniffing, a CSP allowing only the page's own script",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(), override=True
                ),
            ),
        )
        short = cloudfront.CachePolicy(
            self,
            "ShortCache",
            comment="Status page HTML, JSON and feeds: a minute at most (changed files are invalidated)",
            default_ttl=SHORT_TTL,
            max_ttl=SHORT_TTL,
            min_ttl=Duration.seconds(0),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )
        default = cloudfront.BehaviorOptions(
            origin=origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=short,
            response_headers_policy=headers,
            compress=True,
        )
        # Status aggregators and widgets read the JSON from other origins' pages.
        api = cloudfront.BehaviorOptions(
            origin=origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=short,
            response_headers_policy=cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS_WITH_PREFLIGHT_AND_SECURITY_HEADERS,
            compress=True,
        )
        assets = cloudfront.BehaviorOptions(
            origin=origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            response_headers_policy=headers,
            compress=True,
        )
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn)
            if certificate_arn
            else None
        )
        distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Klaxon status page",
            default_root_object="index.html",
            default_behavior=default,
            additional_behaviors={"api/*": api, f"{HASHED_PREFIX}*": assets},
            domain_names=list(domain_names) or None,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="cloudfront/",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR1",
            "A status page is for every customer wherever they are: no country is blocked.",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR2",
            "Static files from a private bucket, no origin compute or forms: WAF would add cost, not safety.",
        )
        if certificate is None:
            acknowledge(
                distribution,
                "AwsSolutions-CFR4",
                "Without a custom domain the distribution uses CloudFront's default certificate, whose TLS "
                "policy cannot be set; give domain_names and certificate_arn to get TLSv1.2_2021.",
            )
        return distribution

    def _build_publisher_role(self, target: StatusPageTarget, publisher: iam.IPrincipal) -> iam.Role:
        stack = Stack.of(self)
        role = iam.Role(
            self,
            "PublisherRole",
            role_name=target.role_name(stack),
            assumed_by=publisher,
            description="Assumed by the Klaxon platform's statuspage_publish function to upload the page",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self.bucket.bucket_arn]))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"], resources=[self.bucket.arn_for_objects("*")]
            )
        )
        self.distribution.grant_create_invalidation(role)
        self.parameter.grant_read(role)
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::<{logical_id(self.bucket)}.Arn>/*]",
            "The publisher writes any page of the site: incident pages are named by incident ids, unknown "
            "until incidents happen; the bucket holds nothing but the site.",
        )
        return role
