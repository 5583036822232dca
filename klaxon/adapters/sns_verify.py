"""SNS message signatures (versions 1 and 2), and subscription confirmation, for the cloudwatch source.

The signing certificate is fetched only from `https://sns.<region>.amazonaws.com/….pem`, the region
being the topic's, and kept for the life of the container. `KLAXON_SNS_CERT_DIR` names a folder of
pinned certificates (the `.pem` file name of each URL) to use instead of fetching: for functions with
no route to the internet, and for tests, which sign with a locally made key.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from klaxon.domain.errors import InvalidInput
from klaxon.domain.intake.sources.cloudwatch import SnsEnvelope, is_sns_url
from klaxon.domain.intake.sources.signatures import BadSignature

log = logging.getLogger(__name__)
FETCH_TIMEOUT = 5.0
Fetch = Callable[[str], bytes]


def fetch_https(url: str) -> bytes:
    """GET `url` (already checked to be an SNS https URL) with a short timeout."""
    import urllib.request  # only when a certificate is missing or a subscription is confirmed

    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
        body: bytes = response.read()
        return body


def pinned_certificates(folder: Path) -> Fetch:
    """Certificates from a folder, by the file name of the URL's path; never the network."""

    def fetch(url: str) -> bytes:
        name = PurePosixPath(urlsplit(url).path).name
        path = folder / name
        if not name or not path.is_file():
            raise BadSignature(f"SNS signing certificate {name!r} is not among the pinned certificates")
        return path.read_bytes()

    return fetch


class SnsSignatureVerifier:
    """Checks that a message was signed by SNS for its topic's region; certificates cached by URL."""

    def __init__(self, fetch: Fetch = fetch_https) -> None:
        self._fetch = fetch
        self._certificates: dict[str, object] = {}
        self._lock = threading.Lock()

    @classmethod
    def pinned_or_fetched(cls, folder: str | None) -> SnsSignatureVerifier:
        """Trust the certificates in `folder` when one is named (KLAXON_SNS_CERT_DIR), else fetch them."""
        return cls(pinned_certificates(Path(folder)) if folder else fetch_https)

    def _public_key(self, url: str) -> object:
        with self._lock:
            cached = self._certificates.get(url)
        if cached is not None:
            return cached
        from cryptography import x509

        try:
            key = x509.load_pem_x509_certificate(self._fetch(url)).public_key()
        except (OSError, ValueError) as exc:
            raise BadSignature(f"cannot load the SNS signing certificate: {exc}") from exc
        with self._lock:
            self._certificates[url] = key
        return key

    def verify(self, message: SnsEnvelope) -> None:
        """Raise BadSignature unless `message` carries a valid SNS signature for its topic's region."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        if not is_sns_url(message.signing_cert_url, message.region, path_suffix=".pem"):
            raise BadSignature(
                f"SigningCertURL is not an https .pem URL on sns.{message.region}.amazonaws.com: "
                f"{message.signing_cert_url[:200]!r}"
            )
        try:
            signature = base64.b64decode(message.signature, validate=True)
        except ValueError as exc:
            raise InvalidInput("SNS message is invalid", ["'Signature': not base64"]) from exc
        key = self._public_key(message.signing_cert_url)
        if not isinstance(key, rsa.RSAPublicKey):
            raise BadSignature("the SNS signing certificate does not hold an RSA key")
        digest = hashes.SHA1() if message.signature_version == "1" else hashes.SHA256()
        try:
            key.verify(signature, message.string_to_sign(), padding.PKCS1v15(), digest)
        except InvalidSignature:
            raise BadSignature("the SNS message signature does not verify: not sent by Amazon SNS") from None


class HttpSubscriptionConfirmer:
    """Confirms a subscription by visiting its SubscribeURL (checked by ingest to be SNS's own)."""

    def __init__(self, fetch: Fetch = fetch_https) -> None:
        self._fetch = fetch

    def confirm(self, subscribe_url: str) -> None:
        self._fetch(subscribe_url)
        log.info("confirmed an SNS subscription")
