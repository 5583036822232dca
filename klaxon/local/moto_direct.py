"""Calls to the emulated AWS answered by the in-process moto without the HTTP round trip (issue 14 §6).

A call through boto3 into the in-process moto went: botocore builds and signs an HTTP request and sends it
through its endpoint; moto's stubber, listening on `before-send`, matches the URL against every service's
patterns, turns the request into a werkzeug request and dispatches it; botocore then wraps the answer in an
HTTP response, checks its CRC32 and parses it. Measured on a GetItem, the request object and its
preparation, the URL match and the HTTP response around the answer were ~35% of the call: work that the
emulation pays and AWS does not, on each of the ~25 calls the page path makes per alert.

`answer`, a botocore `before-call` listener registered after every other, hands a call to one of the
services the page path calls (DynamoDB, EventBridge, SNS, Step Functions, Lambda, SQS: `SERVICES`) to
moto's handler for it, made as botocore's endpoint makes it: the request built from what botocore
serialised, with the retry context of a first attempt, and the client's `request-created` listeners run on
it (its signer, the retry headers, the user agent). moto's answer is parsed with botocore's own parser for
the operation's output shape (klaxon.local.moto_parse's for DynamoDB), the modeled fields of an error added
as botocore's endpoint adds them, and `response-received` emitted; `after-call` (SQS's MD5 checks among
its listeners) and `after-call-error` follow as for any call, and an error answer raises the same
ClientError. What is skipped, and why nothing depends on it:
- moto's URL match: the answer comes from the handler moto's own match gives for the same URL, found once
  per URL; a URL that is not one of these services in moto (another endpoint_url) goes the ordinary way.
- botocore's `before-send`, `needs-retry` and `before-parse` events: the transport's. A listener on those
  events of such a client is not called: a test that reads requests or bodies there takes its client out
  of the short path (`bypass`). moto answers these services with no error botocore retries (none of their
  exceptions is a throttling code or a 5xx); an answer botocore would retry goes the ordinary way, which
  sends it again and retries it as botocore does (`RetryAttempts` then counts its attempts alone).
S3 goes the ordinary way: botocore reads its answers with listeners of its own on the events skipped
here. The short path is live only while moto's mock is (`botocore_stubber.enabled`), and only for
clients made after `install` (botocore copies its built-in handlers into each session); the parser is
botocore's default for the protocol, as every client Klaxon makes uses.
tests/integration/test_moto_direct.py runs calls of each service both ways and compares what botocore
returns and which listeners hear them, and checks the botocore and moto code the short path mirrors.
"""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any

from botocore.awsrequest import AWSResponse, create_request_object
from botocore.endpoint import convert_to_response_dict
from botocore.handlers import BUILTIN_HANDLERS, REGISTER_LAST
from botocore.model import OperationModel
from botocore.parsers import ResponseParserFactory
from botocore.retries.standard import ThrottledRetryableChecker, TransientRetryableChecker
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

# moto's services that the short path answers, by moto's name, with botocore's name of each.
SERVICES = {
    "dynamodb": "dynamodb",
    "events": "events",
    "sns": "sns",
    "stepfunctions": "stepfunctions",
    "awslambda": "lambda",
    "sqs": "sqs",
}
_ANSWERED = frozenset(SERVICES.values())
EVENT = "before-call"  # registered last: every other listener of the call has run when it answers
# An answer botocore's retries would try again (its standard mode's own lists): it goes the ordinary way.
_RETRIED_STATUSES = frozenset({429, *TransientRetryableChecker._TRANSIENT_STATUS_CODES})
_RETRIED_CODES = frozenset(
    TransientRetryableChecker._TRANSIENT_ERROR_CODES + ThrottledRetryableChecker._THROTTLED_ERROR_CODES
)
_PARSERS = ResponseParserFactory()


@functools.lru_cache(maxsize=256)
def _dispatcher(clean_url: str) -> Any | None:
    """moto's handler for this URL, found as moto's stubber finds it, if the short path answers its
    service; else None. Kept per URL: moto's passthrough and whitelist settings as at the first call."""
    if passthrough_url(clean_url):
        return None
    for service, pattern in backend_index.backend_url_patterns:
        if not pattern.match(clean_url):
            continue
        if passthrough_service(service) or not service_whitelisted(service):
            return None  # the ordinary way answers (or refuses) it as moto would
        backend_dict = backends.get_backend(service)  # type: ignore[call-overload]
        region = "us-east-1" if "us-east-1" in backend_dict[DEFAULT_ACCOUNT_ID] else "aws"
        for url, method in backend_dict[DEFAULT_ACCOUNT_ID][region].urls.items():
            if re.compile(url).match(clean_url):
                return method if service in SERVICES else None
    return None


def _clean(url: str) -> str:
    parsed, _ = get_equivalent_url_in_aws_domain(url)
    return f"{parsed.scheme}://{parsed.netloc}{parsed.path}"


def answer(
    model: OperationModel,
    params: dict[str, Any],
    request_signer: RequestSigner,
    context: dict[str, Any],
    **_: Any,
) -> tuple[AWSResponse, dict[str, Any]] | None:
    """botocore's `before-call`: moto's answer to this request, parsed (None: the ordinary way)."""
    if model.service_model.service_name not in _ANSWERED or not botocore_stubber.enabled:
        return None
    dispatch = _dispatcher(_clean(params["url"]))
    if dispatch is None:
        return None
    # The client's emitter: the one its endpoint emits on (botocore gives the signer and the endpoint one).
    events = request_signer._event_emitter
    named = f"{model.service_model.service_id.hyphenize()}.{model.name}"
    retries = context.setdefault("retries", {})  # as the endpoint's first attempt
    retries["attempt"] = 1
    if "invocation-id" not in retries:
        retries["invocation-id"] = str(uuid.uuid4())
    try:
        http = _sent(dispatch, params, events, named, model.name)
        parsed = _parsed(http, model)
    except Exception as error:  # as the client's `_make_request` tells its listeners, then raises
        events.emit(f"after-call-error.{named}", exception=error, context=context)
        raise
    code = parsed.get("Error", {}).get("Code")
    if http.status_code in _RETRIED_STATUSES or code in _RETRIED_CODES:
        return None  # botocore tries it again: the ordinary way sends it again, as a retry would
    events.emit(
        f"response-received.{named}",
        response_dict=convert_to_response_dict(http, model),
        parsed_response=parsed,
        context=context,
        exception=None,
    )
    return http, parsed


def _sent(dispatch: Any, params: dict[str, Any], events: Any, named: str, operation: str) -> AWSResponse:
    """The request made as botocore's endpoint makes it (its `request-created` listeners sign it), answered
    by moto's handler as moto's stubber answers it."""
    request = create_request_object(params)
    events.emit(f"request-created.{named}", request=request, operation_name=operation)
    prepared = request.prepare()
    normalized = normalize_request(prepared)
    try:
        recorder._record_request(normalized)
        status, headers, body = dispatch(normalized, normalized.raw_url, normalized.headers)
    except HTTPException as error:
        status, headers, body = error.code, error.get_headers(), error.get_body()
    return AWSResponse(prepared.url, status, headers, MockRawResponse(body))


def _parsed(http: AWSResponse, model: OperationModel) -> dict[str, Any]:
    """As botocore's endpoint parses an answer (`_do_get_response`, `_add_modeled_error_fields`)."""
    response = convert_to_response_dict(http, model)  # these services' answers carry no checksum to check
    dynamodb = model.service_model.service_name == "dynamodb"
    protocol = model.service_model.resolved_protocol
    parser = ResponseParser() if dynamodb else _PARSERS.create_parser(protocol)  # DynamoDB's is "json"
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
    """Answer the calls of every botocore session made from now on, after every other listener."""
    if not any(spec[:2] == (EVENT, answer) for spec in BUILTIN_HANDLERS):
        BUILTIN_HANDLERS.append((EVENT, answer, REGISTER_LAST))


def bypass(client: Any) -> Any:
    """The client, its calls going the ordinary way (for a test that reads what the endpoint sends)."""
    client.meta.events.unregister(EVENT, answer)
    return client
