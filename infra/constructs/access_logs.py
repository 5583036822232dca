"""The bucket S3 server access logs and CloudFront standard logs go to: private, TLS-only, 90 days."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge

ACCESS_LOG_RETENTION = Duration.days(90)


def access_log_bucket(scope: Construct, *, writers: s3.ObjectOwnership, whose: str) -> s3.Bucket:
    """`scope`'s `AccessLogs` bucket (a function, not a construct: the logical id stays the scope's).

    `writers`: BUCKET_OWNER_ENFORCED for S3 server access logging; OBJECT_WRITER where CloudFront
    standard logging writes with an ACL grant to its log-delivery account. S3 server access logging can
    deliver only to buckets under SSE-S3, so the bucket uses it rather than KMS.
    """
    bucket = s3.Bucket(
        scope,
        "AccessLogs",
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=writers,
        lifecycle_rules=[s3.LifecycleRule(expiration=ACCESS_LOG_RETENTION)],
        removal_policy=RemovalPolicy.RETAIN,
    )
    acknowledge(
        bucket,
        "AwsSolutions-S1",
        f"This is the access-log bucket of {whose} itself; logging it into itself would loop and another "
        "log bucket would only move the finding.",
    )
    return bucket
