"""Claim-check store: alerts too large for an EventBridge entry (256 KB), incident details and attachments
too large for a DynamoDB item (400 KB)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from klaxon.adapters.aws import client
from klaxon.domain.errors import NotFound

_GONE = frozenset({"NoSuchKey", "404", "AccessDenied", "403"})


class S3PayloadStore:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def put(self, key: str, body: bytes) -> str:
        client("s3").put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        return f"s3://{self.bucket}/{key}"

    def get(self, ref: str) -> bytes:
        bucket, _, key = ref.removeprefix("s3://").partition("/")
        s3 = client("s3")
        try:
            body: bytes = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            # Without s3:ListBucket (no role has it), S3 answers a missing key with 403, not 404: the
            # roles may get every object of the bucket, so either means the object is not there.
            if exc.response.get("Error", {}).get("Code") in _GONE:
                raise NotFound(f"payload {ref} is gone") from exc
            raise
        return body
