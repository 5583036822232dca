"""What every emulated AWS call paid that AWS itself does not need from `klaxon up` (issue 14 §4, §6).

A call through boto3 into the in-process moto cost ~1.25 ms on the development machine before any work on
the data (a GetItem of one small item); the page path makes about 25 of them per alert. Three parts of that
are work nothing reads:
- SigV4 signing: a canonical request, a hash of the body and five HMACs per request, which moto never
  checks. Requests are still given an `Authorization` header of the same shape (the credential scope moto
  reads the access key and region from, a zero signature), and the date headers; presigned URLs and any
  other signer are left alone.
- moto listing its response class's methods with `inspect.getmembers` on every call to find the action's
  method: the list is kept per class (classes do not gain methods while the platform runs).
- moto drawing its 52-character request id with 52 calls to `random.choice`: it is drawn from the OS in one.
Together: ~1.25 → ~0.98 ms a call. tests/integration/test_moto_calls.py holds each to what it replaces.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any

import moto.core.responses as moto_responses
import moto.utilities.aws_headers as moto_headers
from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth, SigV4Auth, get_current_datetime
from botocore.exceptions import NoCredentialsError
from moto.core.utils import method_names_from_class

UNCHECKED_SIGNATURE = "0" * 64
_HEADER_SIGNERS = (SigV4Auth, S3SigV4Auth)  # the signers of ordinary requests; not presigning


def _unsigned(original: Callable[[SigV4Auth, Any], None]) -> Callable[[SigV4Auth, Any], None]:
    @functools.wraps(original)
    def add_auth(self: SigV4Auth, request: Any) -> None:
        if type(self) not in _HEADER_SIGNERS:
            original(self, request)
            return
        if self.credentials is None:
            raise NoCredentialsError()
        request.context["timestamp"] = get_current_datetime().strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)  # the date and token headers, as when signing
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.scope(request)}, SignedHeaders=host, "
            f"Signature={UNCHECKED_SIGNATURE}"
        )

    return add_auth


def request_id(headerdict: dict[str, Any] | None = None) -> str:
    """As moto's `gen_amzn_requestid_long`: 52 characters, put in `headerdict` when given."""
    found = secrets.token_hex(26)
    if isinstance(headerdict, dict):
        headerdict["x-amzn-requestid"] = found
    return found


def install() -> dict[str, Callable[..., Any]]:
    """Patch botocore's SigV4 signer and moto's dispatch; returns what it replaced, by name."""
    originals: dict[str, Callable[..., Any]] = {
        "SigV4Auth.add_auth": SigV4Auth.add_auth,
        "moto.core.responses.method_names_from_class": moto_responses.method_names_from_class,
        "moto.core.responses.gen_amzn_requestid_long": moto_responses.gen_amzn_requestid_long,
        "moto.utilities.aws_headers.gen_amzn_requestid_long": moto_headers.gen_amzn_requestid_long,
    }
    SigV4Auth.add_auth = _unsigned(SigV4Auth.add_auth)
    moto_responses.method_names_from_class = functools.cache(method_names_from_class)
    moto_responses.gen_amzn_requestid_long = request_id
    moto_headers.gen_amzn_requestid_long = request_id
    return originals
