"""The claim-check bucket for alerts too large for an event, and the bucket its access logs go to."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.access_logs import access_log_bucket

# EventBridge caps an event at 256 KB, so ingest parks larger alerts here and sends a reference.
# The router reads them within seconds; 30 days leaves room for replays from the bus archive.
PAYLOAD_RETENTION = Duration.days(30)


class PayloadStore(Construct):
    """A private, encrypted, TLS-only bucket whose objects expire, with server access logging."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = access_log_bucket(
            self, writers=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED, whose="the payload store"
        )
        self.bucket = self._build_payload_bucket(self.access_logs)

    def _build_payload_bucket(self, access_logs: s3.IBucket) -> s3.Bucket:
        return s3.Bucket(
            self,
            "Payloads",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                # Oversized alerts are needed only until the router has read them; oversized incident
                # details (details/) are part of the incident record and are kept with it.
                s3.LifecycleRule(prefix="alerts/", expiration=PAYLOAD_RETENTION),
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1)),
            ],
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="payloads/",
            removal_policy=RemovalPolicy.RETAIN,
        )
