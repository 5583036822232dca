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
- moto turning botocore's request into a werkzeug request through werkzeug's test `EnvironBuilder`, which
  parses, quotes and copies each part again (~8% of a GetItem): a plain request (an ASCII path and host
  that quoting leaves as they are, header values without line breaks, a body) gets the same WSGI environ
  built directly (`environ_of`); any other goes through werkzeug as before.
Together: ~1.25 → ~0.98 ms a call, then (the environ) ~1.15 → ~1.06 ms on a slower day.
tests/integration/test_moto_calls.py holds each to what it replaces.
"""

from __future__ import annotations

import functools
import io
import re
import secrets
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import moto.core.request as moto_request
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


# What werkzeug leaves exactly as it is: a path iri_to_uri does not quote and unquote does not change (no
# "%"; no ";", which moto's urlparse would take off as parameters), a lower-case host of labels IDNA takes
# as they are (1 to 63 characters each) with a plain port that urllib accepts (up to 65535).
_PLAIN_PATH = re.compile(r"/(?!/)[A-Za-z0-9_.\-~!$&'()*+,/:=@]*")
_PLAIN_HOST = re.compile(r"[a-z0-9\-]{1,63}(\.[a-z0-9\-]{1,63})*(:[1-9][0-9]{0,4})?")
_HIGHEST_PORT = 65535
_MOTOS_FROM_PRIMITIVES = moto_request.Request.from_primitives.__func__  # type: ignore[attr-defined]


def environ_of(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> dict[str, Any] | None:
    """The WSGI environ werkzeug's `EnvironBuilder(method=, base_url=, path=, query_string=, data=body,
    headers=)` builds for moto's `from_primitives`, or None when werkzeug would change or refuse a part."""
    scheme, host, path, query, _ = urlsplit(url)
    plain = (
        body
        and scheme in ("http", "https")
        and _PLAIN_HOST.fullmatch(host)
        and int(host.partition(":")[2] or 0) <= _HIGHEST_PORT
        and _PLAIN_PATH.fullmatch(path)
        and query.isascii()  # the query string only goes through the WSGI encoding
        and all(k.isascii() and isinstance(v, str) and "\n" not in v and "\r" not in v for k, v in headers)
    )
    if not plain:
        return None
    server_name, _, port = host.partition(":")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_URI": path,
        "RAW_URI": path,
        "SERVER_NAME": server_name,
        "SERVER_PORT": port or ("443" if scheme == "https" else "80"),
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    environ["CONTENT_LENGTH"] = str(len(body))
    combined: dict[str, list[str]] = {}
    for key, value in headers:
        if key.lower() not in ("content-type", "content-length"):
            combined.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(value)
    environ.update((key, ", ".join(values)) for key, values in combined.items())
    return environ


def _from_primitives(
    cls: type[moto_request.Request], method: str, url: str, headers: Any, body: Any = None
) -> moto_request.Request:
    """moto's `Request.from_primitives`, with the environ of a plain request built directly."""
    if isinstance(body, moto_request.AwsChunkedWrapper):
        body = body.read()
    data = body.encode() if isinstance(body, str) else body
    items = [
        (key, value.decode("utf-8") if isinstance(value, bytes) else value)
        for key, value in headers.items()
        if key.lower() != "transfer-encoding"
    ]
    environ = environ_of(method, url, items, data) if isinstance(data, bytes) else None
    if environ is None:
        return _MOTOS_FROM_PRIMITIVES(cls, method, url, headers, body)
    request = cls(environ)
    request.environ[moto_request.PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {
        moto_request.environ_key_for_header(key): key
        for key, _ in items
        if moto_request.should_preserve_original_header_name(key)
    }
    return request


def install() -> dict[str, Callable[..., Any]]:
    """Patch botocore's SigV4 signer, and moto's requests and dispatch; returns what it replaced, by name."""
    originals: dict[str, Callable[..., Any]] = {
        "SigV4Auth.add_auth": SigV4Auth.add_auth,
        "moto.core.responses.method_names_from_class": moto_responses.method_names_from_class,
        "moto.core.responses.gen_amzn_requestid_long": moto_responses.gen_amzn_requestid_long,
        "moto.utilities.aws_headers.gen_amzn_requestid_long": moto_headers.gen_amzn_requestid_long,
        "Request.from_primitives": _MOTOS_FROM_PRIMITIVES,
    }
    moto_request.Request.from_primitives = classmethod(_from_primitives)  # type: ignore[assignment,method-assign]
    SigV4Auth.add_auth = _unsigned(SigV4Auth.add_auth)
    moto_responses.method_names_from_class = functools.cache(method_names_from_class)
    moto_responses.gen_amzn_requestid_long = request_id
    moto_headers.gen_amzn_requestid_long = request_id
    return originals
