"""Where the rendered status page goes: a folder (`klaxon up`) or an S3 bucket behind CloudFront."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from klaxon.ports import Published
from klaxon.settings import Settings

# More changed paths than this become one `/*` invalidation: CloudFront bills per path, a wildcard is one.
MAX_INVALIDATION_PATHS = 15
UPLOAD_THREADS = 16


class FolderSite:
    """The local runtime's site: files replaced atomically, so the local server never serves half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def publish(self, files: Mapping[str, bytes]) -> Published:
        changed = []
        for path, body in sorted(files.items()):
            target = self.root / path
            if target.is_file() and target.read_bytes() == body:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
                tmp.write(body)
            os.replace(tmp.name, target)
            changed.append(path)
        return Published(uploaded=tuple(changed))


def invalidation_paths(changed: list[str]) -> list[str]:
    """CDN paths to invalidate for `changed`: no hashed asset (new name, new URL); `/` with the index."""
    from statuspage_site import HASHED_PREFIX

    paths = [f"/{p}" for p in changed if not p.startswith(HASHED_PREFIX)]
    if "/index.html" in paths:
        paths.append("/")
    return ["/*"] if len(paths) > MAX_INVALIDATION_PATHS else paths


class S3Site:
    """Uploads only files whose MD5 differs from their object's ETag (single-part SSE-S3 puts: ETag = MD5)."""

    def __init__(self, bucket: str, distribution_id: str | None, s3: Any, cloudfront: Any | None) -> None:
        self.bucket = bucket
        self.distribution_id = distribution_id
        self.s3 = s3
        self.cloudfront = cloudfront

    def _etags(self) -> dict[str, str]:
        found = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                found[item["Key"]] = item["ETag"].strip('"')
        return found

    def _put(self, path: str, body: bytes) -> None:
        from statuspage_site import cache_control, content_type

        self.s3.put_object(
            Bucket=self.bucket,
            Key=path,
            Body=body,
            ContentType=content_type(path),
            CacheControl=cache_control(path),
        )

    def publish(self, files: Mapping[str, bytes]) -> Published:
        etags = self._etags()
        changed = sorted(
            p
            for p, body in files.items()
            if etags.get(p) != hashlib.md5(body, usedforsecurity=False).hexdigest()
        )
        # Assets first: a page must never be served before the stylesheet it names exists.
        assets, pages = (
            [p for p in changed if p.startswith("assets/")],
            [p for p in changed if not p.startswith("assets/")],
        )
        with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
            for batch in (assets, pages):
                list(pool.map(lambda p: self._put(p, files[p]), batch))
        paths = invalidation_paths(changed)
        if paths and self.cloudfront is not None and self.distribution_id:
            self.cloudfront.create_invalidation(
                DistributionId=self.distribution_id,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    "CallerReference": f"klaxon-{time.time_ns()}",
                },
            )
        return Published(uploaded=tuple(changed), invalidated=tuple(paths))


def _assumed_session(role_arn: str) -> Any:
    """A boto3 session as the StatusPageStack's publisher role, which may be in another account."""
    import boto3

    from klaxon.adapters.aws import client

    credentials = client("sts").assume_role(RoleArn=role_arn, RoleSessionName="klaxon-statuspage-publish")[
        "Credentials"
    ]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def site_from_settings(settings: Settings) -> S3Site | None:
    """The S3 site this deployment publishes to (`klaxon up` gives its container a folder instead).

    - KLAXON_STATUS_ROLE_ARN + KLAXON_STATUS_REGION + KLAXON_STATUS_PARAMETER: assume the publisher role of
      the StatusPageStack and read its bucket and distribution from the SSM parameter it wrote.
    - KLAXON_STATUS_BUCKET (+ KLAXON_STATUS_DISTRIBUTION): this process's own credentials.
    """
    if settings.status_role_arn:
        if not settings.status_parameter:
            raise ValueError(f"{Settings.env_name('status_role_arn')} is set without its SSM parameter")
        region = settings.status_region
        session = _assumed_session(settings.status_role_arn)
        parameter = session.client("ssm", region_name=region).get_parameter(Name=settings.status_parameter)
        target = json.loads(parameter["Parameter"]["Value"])
        return S3Site(
            target["bucket"],
            target["distribution_id"],
            session.client("s3", region_name=region),
            session.client("cloudfront"),
        )
    if settings.status_bucket:
        from klaxon.adapters.aws import client

        distribution = settings.status_distribution
        return S3Site(
            settings.status_bucket, distribution, client("s3"), client("cloudfront") if distribution else None
        )
    return None
