"""Publishing to S3 + CloudFront (moto): only changed files go up, only their paths are invalidated."""

from __future__ import annotations

import json

import pytest

from klaxon.adapters.site_hosting import S3Site, invalidation_paths, site_from_settings
from klaxon.settings import Settings
from statuspage_site import render
from tests.unit.statuspage.factories import NOW, incident, snapshot

BUCKET = "klaxon-status-site"


@pytest.fixture
def aws(platform):
    from klaxon.adapters.aws import client

    client("s3").create_bucket(Bucket=BUCKET)
    origin = {
        "Id": "site",
        "DomainName": f"{BUCKET}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    distribution = client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": "klaxon-test",
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
            "Comment": "status page",
            "Enabled": True,
        }
    )["Distribution"]["Id"]
    return client("s3"), client("cloudfront"), distribution


@pytest.fixture
def site(aws):
    s3, cloudfront, distribution = aws
    return S3Site(BUCKET, distribution, s3, cloudfront)


def invalidations(aws):
    _, cloudfront, distribution = aws
    found = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items", [])
    return [cloudfront.get_invalidation(DistributionId=distribution, Id=i["Id"]) for i in found]


def test_the_first_publish_uploads_every_file(site):
    files = render(snapshot(), NOW)
    assert sorted(site.publish(files).uploaded) == sorted(files)


def test_files_carry_their_content_type_and_cache_lifetime(site, aws):
    site.publish(render(snapshot(), NOW))
    head = aws[0].head_object(Bucket=BUCKET, Key="api/v2/summary.json")
    assert (head["ContentType"], head["CacheControl"]) == (
        "application/json",
        "public, max-age=60, stale-if-error=86400",
    )


def test_publishing_the_same_site_again_uploads_and_invalidates_nothing(site, aws):
    files = render(snapshot(), NOW)
    site.publish(files)
    before = len(invalidations(aws))
    assert site.publish(files).uploaded == ()
    assert len(invalidations(aws)) == before


def test_a_new_incident_uploads_only_the_files_it_changes(site):
    site.publish(render(snapshot(), NOW))
    uploaded = set(site.publish(render(snapshot(incident(1)), NOW)).uploaded)
    assert "incidents/p0001.html" in uploaded
    assert not any(p.startswith("assets/") for p in uploaded)


def test_a_small_change_invalidates_exactly_its_paths(site, aws):
    site.publish(render(snapshot(incident(1)), NOW))
    before = {i["Invalidation"]["Id"] for i in invalidations(aws)}
    changed = {"index.html": b"<!doctype html><p>changed</p>"}
    site.publish({**render(snapshot(incident(1)), NOW), **changed})
    (new,) = [i for i in invalidations(aws) if i["Invalidation"]["Id"] not in before]
    assert sorted(new["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]) == ["/", "/index.html"]


def test_many_changed_paths_become_one_wildcard():
    assert invalidation_paths([f"incidents/{n}.html" for n in range(40)]) == ["/*"]


def test_hashed_assets_are_never_invalidated():
    assert invalidation_paths(["assets/status.0123456789ab.css", "history.rss"]) == ["/history.rss"]


def test_the_site_is_found_through_the_publisher_role_and_the_parameter(aws, monkeypatch):
    from klaxon.adapters.aws import client

    _, _, distribution = aws
    role = client("iam").create_role(RoleName="publisher", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    value = json.dumps({"bucket": BUCKET, "distribution_id": distribution})
    client("ssm").put_parameter(Name="/klaxon/statuspage/site", Value=value, Type="String")
    monkeypatch.setenv("KLAXON_STATUS_ROLE_ARN", role)
    monkeypatch.setenv("KLAXON_STATUS_PARAMETER", "/klaxon/statuspage/site")
    monkeypatch.setenv("KLAXON_STATUS_REGION", "us-east-1")
    found = site_from_settings(Settings.from_environ())
    assert (found.bucket, found.distribution_id) == (BUCKET, distribution)
