"""DynamoDB calls answered by the in-process moto without the HTTP round trip around it (issue 14 §6).

A DynamoDB call through boto3 into the in-process moto went: botocore builds and signs an HTTP request and
sends it through its endpoint; moto's stubber, listening on `before-send`, matches the URL against every
service's patterns, turns the request into a werkzeug request and dispatches it; botocore then wraps the
answer in an HTTP response, checks its CRC32 and parses it. Measured on a GetItem, the request object and
its preparation, the URL match and the HTTP response around the answer were ~35% of the call: work that
the emulation pays and AWS does not, on every one of the ~25 calls the page path makes per alert.

`answer`, a botocore `before-call` handler for DynamoDB, hands the request botocore has serialised (the
same JSON body, the same headers, signed by the client's own signer) to moto's DynamoDB handler, and parses
moto's answer with botocore's own parser for the operation's output shape, adding the modeled fields of an
error as botocore's endpoint does. What is skipped, and why nothing depends on it:
- moto's URL match: the answer comes from the handler moto's own match gives for the same URL, found once
  per URL; a URL that is not moto's DynamoDB (another endpoint_url) goes the ordinary way.
- botocore's `before-send`, `needs-retry` and `before-parse` events. moto's DynamoDB answers no error
  botocore retries (throttling, 5xx), and its CRC32 header is computed from the body it sends. A listener
  on those events of a DynamoDB client is not called: tests/integration/test_moto_serialize.py, which
  reads bodies at `before-parse`, unregisters `answer` from its client.
- `request-created` listeners other than the signer: none of botocore's or Klaxon's is for DynamoDB.
`before-call` and `after-call` listeners run as before; an error answer raises the same ClientError.
The short path is live only while moto's mock is (`botocore_stubber.enabled`), and only for clients made
after `install` (botocore copies its built-in handlers into each session).
tests/integration/test_moto_direct.py runs DynamoDB calls both ways and compares what botocore returns.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from botocore.awsrequest import AWSResponse, create_request_object
from botocore.endpoint import convert_to_response_dict
from botocore.handlers import BUILTIN_HANDLERS
from botocore.model import OperationModel
from botocore.signers import RequestSigner
from moto import backend_index, backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.botocore_stubber import MockRawResponse
from moto.core.config import passthrough_service, passthrough_url, service_whitelisted
from moto.core.exceptions import HTTPException
from moto.core.models import botocore_stubber
from moto.core.request import normalize_request
from moto.core.utils import get_equivalent_url_in_aws_domain
from moto.moto_api import recorder

from klaxon.local.moto_parse import ResponseParser

SERVICE = "dynamodb"
EVENT = f"before-call.{SERVICE}"


@functools.cache
def _dispatcher(clean_url: str) -> Any | None:
    """moto's handler for this URL if it is moto's DynamoDB, found as moto's stubber finds it; else None."""
    if passthrough_url(clean_url):
        return None
    for service, pattern in backend_index.backend_url_patterns:
        if pattern.match(clean_url):
            if service != SERVICE or passthrough_service(service) or not service_whitelisted(service):
                return None  # the ordinary way answers (or refuses) it as moto would
            backend = backends.get_backend(service)[DEFAULT_ACCOUNT_ID]["us-east-1"]  # type: ignore[call-overload]
            for url, method in backend.urls.items():
                if re.compile(url).match(clean_url):
                    return method
            return None
    return None


def _clean(url: str) -> str:
    parsed, _ = get_equivalent_url_in_aws_domain(url)
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path}"


def answer(
    model: OperationModel, params: dict[str, Any], request_signer: RequestSigner, **_: Any
) -> tuple[AWSResponse, dict[str, Any]] | None:
    """botocore's `before-call`: moto's answer to this DynamoDB request, parsed (None: the ordinary way)."""
    if not botocore_stubber.enabled:
        return None
    dispatch = _dispatcher(_clean(params["url"]))
    if dispatch is None:
        return None
    request = create_request_object(params)
    request_signer.sign(model.name, request)  # what the client's `request-created` listener does
    prepared = request.prepare()
    normalized = normalize_request(prepared)
    try:
        recorder._record_request(normalized)
        status, headers, body = dispatch(normalized, normalized.raw_url, normalized.headers)
    except HTTPException as error:
        status, headers, body = error.code, error.get_headers(), error.get_body()
    http = AWSResponse(prepared.url, status, headers, MockRawResponse(body))
    return http, _parsed(http, model)


def _parsed(http: AWSResponse, model: OperationModel) -> dict[str, Any]:
    """As botocore's endpoint parses an answer (`_do_get_response`, `_add_modeled_error_fields`)."""
    response = convert_to_response_dict(http, model)  # DynamoDB's answers carry no checksum to check
    parser = ResponseParser()  # DynamoDB's protocol is "json" (the test checks the model still says so)
    parsed: dict[str, Any] = parser.parse(response, model.output_shape)
    if http.status_code >= 300:
        code = parsed.get("Error", {}).get("Code")
        shape = model.service_model.shape_for_error_code(code) if code is not None else None
        if shape is not None:
            parsed.update(parser.parse(response, shape))
    if "ResponseMetadata" in parsed:
        parsed["ResponseMetadata"]["RetryAttempts"] = 0  # as botocore's endpoint: no retry was needed
    return parsed


def install() -> None:
    """Answer the DynamoDB calls of every botocore session made from now on (after botocore's handlers)."""
    if (EVENT, answer) not in BUILTIN_HANDLERS:
        BUILTIN_HANDLERS.append((EVENT, answer))
