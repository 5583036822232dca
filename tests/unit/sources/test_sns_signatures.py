"""SNS signatures, versions 1 and 2, checked against a pinned test certificate (never fetched)."""

from __future__ import annotations

import pytest

from klaxon.adapters.sns_verify import SnsSignatureVerifier, pinned_certificates
from klaxon.domain.intake.sources.cloudwatch import envelope
from klaxon.domain.intake.sources.signatures import BadSignature
from tests.fakes.sources import CERT_URL, alarm, certificate_pem


class CountingFetch:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return certificate_pem()


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_message_signed_by_the_certificates_key_verifies(version):
    SnsSignatureVerifier(CountingFetch()).verify(envelope(alarm(version=version)))


def test_a_changed_message_does_not_verify():
    body = alarm()
    body["Message"] = body["Message"].replace("ALARM", "OK")

    with pytest.raises(BadSignature, match="not sent by Amazon SNS"):
        SnsSignatureVerifier(CountingFetch()).verify(envelope(body))


def test_the_fixtures_example_signature_does_not_verify():
    body = alarm() | {"Signature": "RVhBTVBMRQ=="}

    with pytest.raises(BadSignature):
        SnsSignatureVerifier(CountingFetch()).verify(envelope(body))


def test_a_certificate_outside_sns_is_never_fetched():
    fetch = CountingFetch()
    body = alarm() | {"SigningCertURL": "https://attacker.example/SimpleNotificationService.pem"}

    with pytest.raises(BadSignature, match="SigningCertURL"):
        SnsSignatureVerifier(fetch).verify(envelope(body))
    assert fetch.urls == []


def test_a_certificate_of_another_region_than_the_topic_is_refused():
    body = alarm() | {"SigningCertURL": CERT_URL.replace("us-east-1", "eu-west-1")}

    with pytest.raises(BadSignature, match=r"sns\.us-east-1\.amazonaws\.com"):
        SnsSignatureVerifier(CountingFetch()).verify(envelope(body))


def test_the_certificate_is_fetched_once_and_then_cached():
    fetch = CountingFetch()
    verifier = SnsSignatureVerifier(fetch)

    verifier.verify(envelope(alarm()))
    verifier.verify(envelope(alarm("OK")))

    assert fetch.urls == [CERT_URL]


def test_pinned_certificates_are_read_from_the_folder_by_file_name(tmp_path):
    (tmp_path / CERT_URL.rsplit("/", 1)[1]).write_bytes(certificate_pem())

    SnsSignatureVerifier(pinned_certificates(tmp_path)).verify(envelope(alarm()))


def test_a_certificate_missing_from_the_pinned_folder_is_a_bad_signature(tmp_path):
    with pytest.raises(BadSignature, match="not among the pinned certificates"):
        SnsSignatureVerifier(pinned_certificates(tmp_path)).verify(envelope(alarm()))
