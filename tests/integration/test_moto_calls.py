"""klaxon.local.moto_calls: the per-call work nothing reads is gone, and what moto reads from each request
(its access key and region, the action's method, a request id) is as before."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from botocore.config import Config
from hypothesis import event, given, settings
from hypothesis import strategies as st
from moto.core.request import Request

from klaxon.local import emulation, moto_calls, moto_direct, moto_speed
from tests.integration.source_digest import source_digest

# sha256 (first 16 digits) of the source of each function moto_calls replaces or mirrors (botocore and moto
# as pinned): a change means reading the new code and updating moto_calls first.
MIRRORED = {
    "SigV4Auth.add_auth": "0a37f12b13c3d758",
    "moto.core.responses.method_names_from_class": "9dbac89d082b655f",
    "moto.core.responses.gen_amzn_requestid_long": "e651941c2107cdc2",
    "Request.from_primitives": "4cfb35d5fb26843a",  # moto's; werkzeug's builder is held to by behaviour
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
    sqs = moto_direct.bypass(boto3.client("sqs", region_name="eu-west-1"))  # read where it is sent
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


# Requests as botocore hands them to moto, and the corners werkzeug's EnvironBuilder quotes, lowers, joins
# or refuses: each must give the request moto's own from_primitives gives.
_paths = st.one_of(
    st.sampled_from(["/", "", "/2015-03-31/functions/x/invocations", "/bucket/key.txt", "//double"]),
    st.from_regex(r"/[a-zA-Z0-9/._~!$&'()*+,:=@-]{0,15}", fullmatch=True),  # plain: built directly
    st.text(alphabet="/abcAZ09-_.~!$&'()*+,:;=@%é #?", max_size=20),
)
_hosts = st.one_of(
    st.sampled_from(["dynamodb.us-east-1.amazonaws.com", "localhost:4566"]),  # plain
    st.sampled_from(["SQS.eu-west-1.amazonaws.com", "h:0443", "h:"]),  # werkzeug lowers, rebuilds the port
    st.sampled_from(["localhost:70000", "a..b", ".a", "x" * 64 + ".com", "h:65535"]),  # it refuses these
)
_header_names = st.sampled_from(
    [
        "Content-Type",
        "content-type",
        "Content-Length",
        "X-Amz-Target",
        "x-amz-target",
        "X-Amz-Date",
        "Transfer-Encoding",
        "x-amz-meta-my_key",
        "User-Agent",
        "Authorization",
    ]
)
_header_values = st.one_of(st.text(max_size=12), st.binary(max_size=6).map(lambda b: b.hex().encode()))
_bodies = st.one_of(
    st.binary(min_size=1, max_size=30), st.text(min_size=1, max_size=30), st.sampled_from([None, b""])
)


def _same_request_both_ways(method: str, url: str, headers: Any, body: Any) -> bool:
    """Whether the request was built directly; it is asserted to be the one moto's own code builds."""
    outcomes = []
    for build in (moto_calls._from_primitives, moto_speed.ORIGINALS["Request.from_primitives"]):
        try:
            outcomes.append(_seen(build(Request, method, url, headers, body)))
        except ValueError as exc:  # werkzeug refuses a header value with a line break
            outcomes.append(("refused", str(exc)))
    assert outcomes[0] == outcomes[1]
    items = [(k, v.decode() if isinstance(v, bytes) else v) for k, v in headers.items()]
    data = body.encode() if isinstance(body, str) else body
    return isinstance(data, bytes) and moto_calls.environ_of(method, url, items, data) is not None


class _Headers(dict):  # type: ignore[type-arg]
    """botocore's headers as moto reads them: items() may name one header twice, in any case."""

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__()
        self.pairs = pairs

    def items(self) -> Any:
        return list(self.pairs)


def _seen(request: Any) -> Any:
    environ = dict(request.environ)
    environ["wsgi.input"] = environ["wsgi.input"].read()
    assert environ.pop("werkzeug.request") is request
    return list(environ.items()), list(request.headers.items()), request.url, request.path


@settings(max_examples=400)
@given(
    st.sampled_from(["POST", "GET", "PUT"]),
    st.sampled_from(["https", "http"]),
    _hosts,
    _paths,
    st.one_of(st.text(alphabet="a=1&b%2C+", max_size=10), st.text(alphabet="é=a", max_size=3)),
    st.lists(st.tuples(_header_names, _header_values), max_size=6),
    _bodies,
)
def test_a_request_is_the_one_werkzeug_builds(
    method: str, scheme: str, host: str, path: str, query: str, headers: Any, body: Any
) -> None:
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    event("built directly" if _same_request_both_ways(method, url, _Headers(headers), body) else "werkzeug")


def test_every_request_of_the_emulated_services_is_the_one_werkzeug_builds(aws: Any) -> None:
    """What botocore really sends: DynamoDB and EventBridge (JSON), SQS, SNS (a form), S3 (REST, metadata)."""
    sent: list[tuple[str, str, Any, Any]] = []

    def keep(request: Any, **_: Any) -> None:
        sent.append((request.method, request.url, request.headers, request.body))

    names = ("sqs", "sns", "s3", "events")
    clients = {name: boto3.client(name, region_name=emulation.REGION) for name in names}
    for client in (aws, *clients.values()):
        moto_direct.bypass(client)  # by the endpoint: sent
        client.meta.events.register("before-send", keep)
    aws.list_tables()
    clients["sqs"].create_queue(QueueName="q")
    clients["sns"].create_topic(Name="t")
    clients["s3"].create_bucket(Bucket="bucket-b")
    clients["s3"].put_object(Bucket="bucket-b", Key="a key/é.txt", Body=b"x", Metadata={"my_key": "v"})
    clients["events"].put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{}"}])
    direct = [_same_request_both_ways(*request) for request in sent]
    # DynamoDB, SQS, SNS and EventBridge built directly; S3's bucket (no body) and object (a quoted key)
    assert direct == [True, True, True, False, False, True]


def test_a_plain_request_is_built_directly_and_others_by_werkzeug() -> None:
    plain = [("X-Amz-Target", "DynamoDB_20120810.GetItem"), ("Content-Type", "application/x-amz-json-1.0")]
    built = moto_calls.environ_of("POST", "https://dynamodb.us-east-1.amazonaws.com/", plain, b"{}")
    assert built is not None and built["HTTP_X_AMZ_TARGET"] == "DynamoDB_20120810.GetItem"
    for url, headers, body in [
        ("https://dynamodb.us-east-1.amazonaws.com/a%2Fb", plain, b"{}"),  # werkzeug unquotes the path
        ("https://DynamoDB.us-east-1.amazonaws.com/", plain, b"{}"),  # and lowers the host
        ("https://dynamodb.us-east-1.amazonaws.com/", plain, b""),  # no body: werkzeug decides the length
        ("https://dynamodb.us-east-1.amazonaws.com/", [("X-A", "a\nb")], b"{}"),  # werkzeug refuses it
    ]:
        assert moto_calls.environ_of("POST", url, headers, body) is None
