"""Claim-check store for alerts too large for an EventBridge entry (256 KB)."""

from __future__ import annotations

from klaxon.adapters.aws import client
from klaxon.domain.errors import NotFound


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
        except s3.exceptions.NoSuchKey as exc:
            raise NotFound(f"payload {ref} is gone") from exc
        return body
