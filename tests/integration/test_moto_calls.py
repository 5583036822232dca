"""klaxon.local.moto_calls: the per-call work nothing reads is gone, and what moto reads from each request
(its access key and region, the action's method, a request id) is as before."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from botocore.config import Config

from klaxon.local import emulation, moto_calls, moto_speed
from tests.integration.source_digest import source_digest

# sha256 (first 16 digits) of the source of each function moto_calls replaces or mirrors (botocore and moto
# as pinned): a change means reading the new code and updating moto_calls first.
MIRRORED = {
    "SigV4Auth.add_auth": "0a37f12b13c3d758",
    "moto.core.responses.method_names_from_class": "9dbac89d082b655f",
    "moto.core.responses.gen_amzn_requestid_long": "e651941c2107cdc2",
}


@pytest.fixture
def aws(moto_alone: Any) -> Any:
    return moto_alone


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_the_code_moto_calls_replaces_is_unchanged(name: str, aws: Any) -> None:
    assert source_digest(moto_speed.ORIGINALS[name]) == MIRRORED[name], (
        f"{name} changed: read it, update klaxon.local.moto_calls, then this hash"
    )


def test_a_request_names_its_key_and_region_but_is_not_signed(aws: Any) -> None:
    seen: list[dict[str, str]] = []
    sqs = boto3.client("sqs", region_name="eu-west-1")
    sqs.meta.events.register(
        "before-send",
        lambda request, **_: seen.append(
            {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        ),
    )
    sqs.create_queue(QueueName="in-ireland")
    authorization = seen[-1]["Authorization"]
    assert re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=\w+/\d{8}/eu-west-1/sqs/aws4_request, SignedHeaders=host, "
        rf"Signature={moto_calls.UNCHECKED_SIGNATURE}",
        authorization,
    ), authorization
    assert "X-Amz-Date" in seen[-1]
    # moto took the region from it: the queue is in Ireland, under the emulated account.
    url = boto3.client("sqs", region_name="eu-west-1").get_queue_url(QueueName="in-ireland")["QueueUrl"]
    assert f"/{emulation.ACCOUNT}/in-ireland" in url
    assert boto3.client("sqs", region_name=emulation.REGION).list_queues().get("QueueUrls", []) == []


def test_a_presigned_url_is_still_signed(aws: Any) -> None:
    s3 = boto3.client("s3", region_name=emulation.REGION, config=Config(signature_version="s3v4"))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"}, ExpiresIn=60)
    signature = re.search(r"X-Amz-Signature=([0-9a-f]{64})", url)
    assert signature is not None and signature.group(1) != moto_calls.UNCHECKED_SIGNATURE


def test_moto_finds_each_actions_method_from_the_kept_list(aws: Any) -> None:
    from moto.dynamodb.responses import DynamoHandler

    kept = moto_calls.moto_responses.method_names_from_class(DynamoHandler)
    original = moto_speed.ORIGINALS["moto.core.responses.method_names_from_class"]
    assert kept == original(DynamoHandler) and "get_item" in kept
    assert moto_calls.moto_responses.method_names_from_class(DynamoHandler) is kept  # listed once


def test_request_ids_are_moto_shaped_and_put_in_the_headers() -> None:
    headers: dict[str, Any] = {}
    found = moto_calls.request_id(headers)
    assert re.fullmatch(r"[0-9a-z]{52}", found) and headers == {"x-amzn-requestid": found}
    assert moto_calls.request_id() != found
