"""Post-mortems published to Confluence Cloud as pages in storage format, against a mock checked by
Atlassian's own REST API v2 description."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaxon.adapters.confluence import ConfluencePublisher, PublishFailed, page_title, storage_format
from klaxon.adapters.github import PublishFailed as GitHubPublishFailed
from klaxon.domain.postmortem.models import ConfluenceTarget
from tests.fakes.confluence_server import ConfluenceServer, check_request
from tests.integration.test_github_publish import POSTMORTEM as GITHUB_POSTMORTEM

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
MARKDOWN = """# Post-mortem: #7 Checkout: 5xx above 5%

*Blameless: we look for what let this happen.*

| | |
|---|---|
| Priority | P1 |
| Owner | carol |

## Summary

Checkout answered 5xx to 6% of requests for 14 minutes & the retries made it worse.

## Timeline (UTC)

- 2026-12-06 09:02 · triggered · alertmanager: `HighErrorRate` <5xx> fired
- 2026-12-06 09:04 · acknowledged · carol

## Root cause

1. Why? The pool was exhausted.
2. Why? A deploy halved it.

```
max_connections: 10
```

## Action items

- \x20
"""
POSTMORTEM = GITHUB_POSTMORTEM.model_copy(update={"markdown": MARKDOWN})
TITLE = "Post-mortem #7: Checkout: 5xx above 5%"
WEB_TITLE = "Post-mortem+%237%3A+Checkout%3A+5xx+above+5%25"  # as Confluence puts it in a page's link
SPACE = "65537"


def xhtml(value: str) -> ET.Element:
    """The storage body read as XML: Confluence refuses one that is not well-formed."""
    return ET.fromstring(f"<root>{value}</root>")


@pytest.fixture
def confluence() -> Iterator[ConfluenceServer]:
    with ConfluenceServer() as server:
        yield server
        assert server.state.violations == []


def publisher(confluence: ConfluenceServer, **target: Any) -> ConfluencePublisher:
    state = confluence.state
    return ConfluencePublisher(ConfluenceTarget(confluence.url, SPACE, **target), state.email, state.token)


def test_a_page_in_storage_format_and_publishing_again_updates_it_in_place(confluence):
    url = publisher(confluence).publish(POSTMORTEM)
    [page] = confluence.state.pages.values()
    assert url == f"{confluence.url}/wiki/spaces/OPS/pages/{page['id']}/{WEB_TITLE}"
    assert (page["title"], page["spaceId"], page["parentId"], page["status"], page["version"]) == (
        TITLE,
        SPACE,
        None,
        "current",
        1,
    )
    root = xhtml(page["body"])
    assert [h.text for h in root.iter("h2")] == ["Summary", "Timeline (UTC)", "Root cause", "Action items"]
    assert root.find("h1").text == "Post-mortem: #7 Checkout: 5xx above 5%"
    assert [li.text for li in root.find("ol")] == ["Why? The pool was exhausted.", "Why? A deploy halved it."]
    timeline = root.findall("ul")[0]
    assert len(timeline) == 2
    assert "".join(timeline[0].itertext()).endswith("HighErrorRate <5xx> fired")  # raw HTML shown as text
    assert timeline[0].find("code").text == "HighErrorRate"
    assert [td.text for td in root.find("table").iter("td")] == ["Priority", "P1", "Owner", "carol"]
    assert root.find("pre/code").text == "max_connections: 10\n"
    assert "14 minutes & the retries" in "".join(root.find("p[2]").itertext())

    again = POSTMORTEM.model_copy(update={"markdown": "# Better\n\n- one\n- two\n", "updated_by": "dave"})
    assert publisher(confluence).publish(again) == url
    assert list(confluence.state.pages.values()) == [page]
    assert (page["version"], page["message"]) == (2, "Published from Klaxon by dave")
    assert [li.text for li in xhtml(page["body"]).find("ul")] == ["one", "two"]
    assert publisher(confluence).publish(POSTMORTEM) == url
    assert page["version"] == 3
    methods = [m for m, _ in confluence.state.calls]
    assert methods == ["GET", "POST", "GET", "PUT", "GET", "PUT"]


def test_the_page_goes_under_the_parent_and_a_page_a_person_made_with_the_title_is_taken_over(confluence):
    parent = confluence.state.add_page("Post-mortems")
    url = publisher(confluence, parent_id=parent).publish(POSTMORTEM)
    page = next(p for p in confluence.state.pages.values() if p["title"] == TITLE)
    assert page["parentId"] == parent
    assert url.endswith(f"/pages/{page['id']}/{WEB_TITLE}")

    with ConfluenceServer() as other:
        existing = other.state.add_page(TITLE, version=4)
        other.state.add_page(TITLE, space_id="98305")  # another space's page of that title is left alone
        other.state.spaces.add("98305")
        publisher(other).publish(POSTMORTEM)
        assert len(other.state.pages) == 2
        assert other.state.pages[existing]["version"] == 5
        assert xhtml(other.state.pages[existing]["body"]).find("h1") is not None
        assert other.state.violations == []


def test_the_address_is_built_from_the_site_when_confluence_gives_no_link(confluence):
    site = publisher(confluence, parent_id=None)
    assert site.address({"id": "123"}) == f"{confluence.url}/wiki/pages/viewpage.action?pageId=123"
    with_wiki = ConfluencePublisher(ConfluenceTarget(f"{confluence.url}/wiki/", SPACE), "e", "t")
    assert with_wiki.client.base_url == httpx.URL(f"{confluence.url}/wiki/api/v2/")


def test_refusals_an_outage_and_an_unreachable_site_are_publish_failures_with_the_status(confluence):
    assert PublishFailed is GitHubPublishFailed  # one error for every place post-mortems are published
    with pytest.raises(PublishFailed, match="POST /pages with 404"):
        ConfluencePublisher(
            ConfluenceTarget(confluence.url, "424242"), "klaxon@acme.test", "confluence-test-token"
        ).publish(POSTMORTEM)
    with pytest.raises(PublishFailed, match="GET /pages with 401"):
        ConfluencePublisher(ConfluenceTarget(confluence.url, SPACE), "klaxon@acme.test", "wrong").publish(
            POSTMORTEM
        )
    confluence.state.fail(1, 503)
    with pytest.raises(PublishFailed, match="GET /pages with 503"):
        publisher(confluence).publish(POSTMORTEM)
    publisher(confluence).publish(POSTMORTEM)
    confluence.state.fail(1, 500)
    with pytest.raises(PublishFailed, match="GET /pages with 500"):
        publisher(confluence).publish(POSTMORTEM)
    [page] = confluence.state.pages.values()
    assert page["version"] == 1  # a failure changes nothing
    with ConfluenceServer() as gone:
        url = gone.url
    with pytest.raises(PublishFailed, match="could not be reached"):
        ConfluencePublisher(ConfluenceTarget(url, SPACE), "e", "t").publish(POSTMORTEM)


def test_raw_html_references_and_control_characters_still_make_well_formed_xhtml():
    value = storage_format(
        "<div>unclosed <br> <b>x</i> <!-- c\n\n"
        "&nbsp;&copy;&#169;&#x1F525;&bogus;&#0;&#x110000; a\x0cb\x00\ud800"
        " [l](http://x/?a=1&b=2) ![i](http://x/i.png) <http://x/y>\n\n---\n\nline  \nbreak"
    )
    root = xhtml(value)
    text = "".join(root.itertext())
    assert "<div>unclosed <br> <b>x</i> <!-- c" in text
    assert "\u00a0\u00a9\u00a9\U0001f525&bogus;&#0;&#x110000; ab" in text
    assert root.find("p/a").get("href") == "http://x/?a=1&b=2"
    assert root.find("hr") is not None and root.find("p/br") is not None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&;#*_`|-[]()!\n ")))
def test_any_markdown_makes_well_formed_xhtml(text):
    xhtml(storage_format(text))


def test_the_title_is_the_incident_number_and_title_within_confluences_limit():
    assert page_title(POSTMORTEM) == TITLE
    assert len(page_title(POSTMORTEM.model_copy(update={"title": "x" * 400}))) == 255


def _basic(email: str = "klaxon@acme.test", token: str = "confluence-test-token") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()}


def test_the_mock_answers_as_confluence_does():
    with (
        ConfluenceServer() as confluence,
        httpx.Client(base_url=f"{confluence.url}/wiki/api/v2", headers=_basic()) as client,
    ):
        flat = {"representation": "storage", "value": "<p>a</p>"}
        page = {"spaceId": SPACE, "status": "current", "title": "T", "body": flat}
        created = client.post("/pages", json=page)
        assert (created.status_code, created.json()["version"]["number"]) == (200, 1)
        page_id = created.json()["id"]
        taken = client.post("/pages", json=page)
        assert taken.status_code == 400
        assert taken.json()["errors"][0]["title"].startswith("A page with this title already exists")
        unclosed = {**page, "title": "U", "body": {**flat, "value": "<p>a"}}
        assert client.post("/pages", json=unclosed).status_code == 400
        nested = {**page, "title": "U", "body": {"storage": {**flat, "value": "<p>&nbsp;</p>"}}}
        assert client.post("/pages", json=nested).status_code == 200
        update = {"id": page_id, "status": "current", "title": "T", "body": flat, "version": {"number": 1}}
        stale = client.put(f"/pages/{page_id}", json=update)
        assert stale.status_code == 409
        message = stale.json()["errors"][0]["title"]
        assert message == "Version must be incremented on update. Current version is: 1"
        assert client.put(f"/pages/{page_id}", json={**update, "version": {"number": 2}}).status_code == 200
        missing = {**update, "id": "999", "version": {"number": 2}}
        assert client.put("/pages/999", json=missing).status_code == 404
        assert confluence.state.violations == []


def test_the_mock_refuses_what_atlassians_description_does_not_allow():
    body = {"representation": "storage", "value": "<p />"}
    assert check_request("POST", "/wiki/api/v2/pages", {"title": "t", "body": body})[2] == [
        "POST /pages: body: 'spaceId' is a required property"
    ]
    assert check_request("GET", "/wiki/api/v2/pages?space-id=OPS&limit=0", None)[2] == [
        "GET /pages: query 'space-id': 'OPS' is not of type 'integer'",
        "GET /pages: query 'limit': 0 is less than the minimum of 1",
    ]
    assert check_request("GET", "/wiki/api/v2/pages?spaceId=65537", None)[2] == [
        "GET /pages: query 'spaceId' is not described"
    ]
    assert check_request(
        "PUT", "/wiki/api/v2/pages/abc", {"id": "abc", "status": "current", "title": "t", "body": body}
    )[2] == [
        "PUT /pages/{id}: body: 'version' is a required property",
        "PUT /pages/{id}: path 'id': 'abc' is not of type 'integer'",
    ]
    assert check_request("DELETE", "/wiki/api/v2/pages", None)[2] == [
        "DELETE /wiki/api/v2/pages is not described"
    ]
    assert check_request("POST", "/wiki/api/v2/pages", {"spaceId": "1", "body": {"value": "<p />"}})[2] == [
        "POST /pages: body.body: needs a `representation` and a `value`"
    ]
    assert check_request(
        "POST",
        "/wiki/api/v2/pages",
        {"spaceId": "1", "body": {"storage": {"representation": "html", "value": 1}}},
    )[2] == [
        "POST /pages: body.body: storage holds a 'html' representation",
    ]
    assert check_request(
        "POST", "/wiki/api/v2/pages", {"spaceId": "1", "body": {"representation": "html", "value": 1}}
    )[2] == [
        "POST /pages: body.body: 'html' is not one of ['storage', 'atlas_doc_format', 'wiki']",
        "POST /pages: body.body: 1 is not of type 'string'",
    ]
    with ConfluenceServer() as confluence:
        answer = httpx.get(f"{confluence.url}/wiki/api/v2/pages?title=x&colour=red", headers=_basic())
        assert answer.status_code == 400
        assert confluence.state.violations == ["GET /pages: query 'colour' is not described"]
