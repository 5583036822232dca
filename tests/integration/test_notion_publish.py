"""Post-mortems published to Notion as pages of blocks, against a mock checked by Notion's own OpenAPI
description (notion-mcp-server's, with the mock's extension for the block types it does not list)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klaxon.adapters.github import PublishFailed as GitHubPublishFailed
from klaxon.adapters.notion import NotionPublisher, PublishFailed, blocks, page_title
from klaxon.domain.postmortem.models import NotionTarget
from tests.fakes.notion_server import (
    PARENT,
    NotionServer,
    NotionState,
    check_request,
    plain,
    rich_text_problems,
    text_of,
    utf16,
)
from tests.integration.test_github_publish import POSTMORTEM as GITHUB_POSTMORTEM

NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
MARKDOWN = """# Post-mortem: #7 Checkout: 5xx above 5%

*Blameless: we look for what let this happen.*

| | |
|---|---|
| Priority | P1 |
| Owner | carol |

## Summary

Checkout answered 5xx to **6% of requests** for 14 minutes & the retries made it worse
(see [the dashboard](https://grafana.acme.test/d/checkout)).

## Timeline (UTC)

- 2026-12-06 09:02 · triggered · alertmanager: `HighErrorRate` <5xx> fired
  - paged carol
- 2026-12-06 09:04 · acknowledged · carol

## Root cause

1. Why? The pool was exhausted.
2. Why? A deploy halved it.

```yaml
max_connections: 10
```

## Action items

- \x20
"""
POSTMORTEM = GITHUB_POSTMORTEM.model_copy(update={"markdown": MARKDOWN})
TITLE = "Post-mortem #7: Checkout: 5xx above 5%"
TOKEN = "secret_notion_test"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": "2025-09-03"}


@pytest.fixture
def notion() -> Iterator[NotionServer]:
    with NotionServer(token=TOKEN) as server:
        yield server
        assert server.state.violations == []


def publisher(notion: NotionServer, parent: str = PARENT, token: str = TOKEN) -> NotionPublisher:
    return NotionPublisher(NotionTarget(parent), token, api_url=notion.url)


def content(state: NotionState, page: dict[str, Any]) -> list[tuple[str, str]]:
    """The page's blocks as (type, text), in order."""
    return [(block["type"], text_of(block)) for block in page["blocks"]]


def annotated(block: dict[str, Any], mark: str) -> list[str]:
    return [
        item["text"]["content"]
        for item in block[block["type"]]["rich_text"]
        if item.get("annotations", {}).get(mark)
    ]


def test_a_page_of_blocks_under_the_parent(notion):
    url = publisher(notion).publish(POSTMORTEM)
    state = notion.state
    [page] = state.live_pages()
    assert url == state.url_of(page)
    assert url == f"https://www.notion.so/Post-mortem-7-Checkout-5xx-above-5-{page['id'].replace('-', '')}"
    assert page["title"] == TITLE
    assert content(state, page) == [
        ("heading_1", "Post-mortem: #7 Checkout: 5xx above 5%"),
        ("paragraph", "Blameless: we look for what let this happen."),
        ("paragraph", " | "),
        ("paragraph", "Priority | P1"),
        ("paragraph", "Owner | carol"),
        ("heading_2", "Summary"),
        (
            "paragraph",
            "Checkout answered 5xx to 6% of requests for 14 minutes & the retries made it worse "
            "(see the dashboard).",
        ),
        ("heading_2", "Timeline (UTC)"),
        ("bulleted_list_item", "2026-12-06 09:02 · triggered · alertmanager: HighErrorRate <5xx> fired"),
        ("bulleted_list_item", "2026-12-06 09:04 · acknowledged · carol"),
        ("heading_2", "Root cause"),
        ("numbered_list_item", "Why? The pool was exhausted."),
        ("numbered_list_item", "Why? A deploy halved it."),
        ("code", "max_connections: 10"),
        ("heading_2", "Action items"),
        ("bulleted_list_item", ""),
    ]
    by_type = {block["type"]: block for block in reversed(page["blocks"])}  # the first of each type
    paragraphs = [b for b in page["blocks"] if b["type"] == "paragraph"]
    assert annotated(paragraphs[0], "italic") == ["Blameless: we look for what let this happen."]
    assert annotated(paragraphs[2], "bold") == [] and annotated(paragraphs[4], "bold") == ["6% of requests"]
    [link] = [i for i in paragraphs[4]["paragraph"]["rich_text"] if i["text"].get("link")]
    assert (link["text"]["content"], link["text"]["link"]) == (
        "the dashboard",
        {"url": "https://grafana.acme.test/d/checkout"},
    )
    assert annotated(by_type["bulleted_list_item"], "code") == ["HighErrorRate"]
    assert by_type["code"]["code"]["language"] == "yaml"
    nested = by_type["bulleted_list_item"]["children"]
    assert [(b["type"], text_of(b)) for b in nested] == [("bulleted_list_item", "paged carol")]
    assert [method for method, _ in state.calls] == ["GET", "POST", "PATCH", "PATCH"]
    assert state.calls[-1][1] == f"/v1/blocks/{by_type['bulleted_list_item']['id']}/children"


def test_a_table_is_a_paragraph_a_row_its_header_bold_and_raw_html_is_text():
    made = blocks("| Step | Who |\n|---|---|\n| *page* | `carol` |\n\n<div>a</div>\n\n---\n\n> said\n> so\n")
    assert [(b.type, plain(b.content.get("rich_text", []))) for b in made] == [
        ("paragraph", "Step | Who"),
        ("paragraph", "page | carol"),
        ("paragraph", "<div>a</div>"),
        ("divider", ""),
        ("quote", "said so"),
    ]
    header, row = made[0].content["rich_text"], made[1].content["rich_text"]
    assert [(i["text"]["content"], i.get("annotations")) for i in header] == [
        ("Step", {"bold": True}),
        (" | ", None),
        ("Who", {"bold": True}),
    ]
    assert [i.get("annotations") for i in row] == [{"italic": True}, None, {"code": True}]


def test_links_notion_cannot_take_are_kept_as_text_and_code_languages_are_notions():
    links = "[rel](docs/x.md) [web](https://x.test/a) [mail](mailto:a@x.test) ![i](/i.png)"
    made = blocks(f"{links}\n\n```py\n1\n```\n\n```brainfuck\n+\n```\n")
    links = [i["text"].get("link") for i in made[0].content["rich_text"]]
    assert links == [None, {"url": "https://x.test/a"}, None, {"url": "mailto:a@x.test"}, None]
    assert [b.content["language"] for b in made[1:]] == ["python", "plain text"]


def test_more_than_100_blocks_are_appended_in_batches_of_100(notion):
    markdown = "\n\n".join(f"Paragraph {i}." for i in range(250))
    publisher(notion).publish(POSTMORTEM.model_copy(update={"markdown": markdown}))
    [page] = notion.state.live_pages()
    assert [text_of(b) for b in page["blocks"]] == [f"Paragraph {i}." for i in range(250)]
    appends = [path for method, path in notion.state.calls if method == "PATCH"]
    assert appends == [f"/v1/blocks/{page['id']}/children"] * 3  # 100, 100, 50: the mock takes no more


def test_publishing_again_leaves_one_live_page_and_the_earlier_ones_in_the_trash(notion):
    state = notion.state
    others = [state.add_page(f"Post-mortem #{n}: another", parent=PARENT) for n in range(120)]  # two lists
    first_url = publisher(notion).publish(POSTMORTEM)
    [first] = [p for p in state.live_pages() if p["title"] == TITLE]

    again = POSTMORTEM.model_copy(update={"markdown": "# Better\n\n- one\n- two\n"})
    second_url = publisher(notion).publish(again)
    [second] = [p for p in state.live_pages() if p["title"] == TITLE]
    assert second["id"] != first["id"] and first["in_trash"]
    assert second_url == state.url_of(second) != first_url
    assert content(state, second) == [
        ("heading_1", "Better"),
        ("bulleted_list_item", "one"),
        ("bulleted_list_item", "two"),
    ]
    assert all(not state.pages[page_id]["in_trash"] for page_id in others)
    assert len(state.live_pages()) == 121

    # What a publish that failed half-way leaves (its page and the earlier one live), or a person's copy.
    state.add_page(TITLE, parent=PARENT)
    publisher(notion).publish(again)
    assert [p["title"] for p in state.live_pages()].count(TITLE) == 1
    assert len([p for p in state.pages.values() if p["title"] == TITLE]) == 4


def test_a_parent_id_without_hyphens_as_in_the_pages_link_is_taken(notion):
    publisher(notion, parent=PARENT.replace("-", "").upper()).publish(POSTMORTEM)
    assert [p["title"] for p in notion.state.live_pages()] == [TITLE]


def test_a_bad_token_an_unknown_parent_and_an_outage_are_publish_failures_with_the_status(notion):
    assert PublishFailed is GitHubPublishFailed  # one error for every place post-mortems are published
    children = f"/v1/blocks/{PARENT}/children"
    with pytest.raises(PublishFailed, match=f"GET {children} with 401"):
        publisher(notion, token="secret_wrong").publish(POSTMORTEM)
    unknown = "0f0e0d0c-0b0a-4988-8776-655443322110"
    with pytest.raises(PublishFailed, match=f"GET /v1/blocks/{unknown}/children with 404"):
        publisher(notion, parent=unknown).publish(POSTMORTEM)
    notion.state.fail(1, 503)
    with pytest.raises(PublishFailed, match=f"GET {children} with 503"):
        publisher(notion).publish(POSTMORTEM)
    notion.state.fail(1, 429)
    with pytest.raises(PublishFailed, match=f"GET {children} with 429"):
        publisher(notion).publish(POSTMORTEM)
    assert notion.state.live_pages() == []  # a failure changes nothing
    trashed = notion.state.add_page("Old parent", parent=PARENT, in_trash=True)
    with pytest.raises(PublishFailed, match="POST /v1/pages with 400"):
        publisher(notion, parent=trashed).publish(POSTMORTEM)
    with NotionServer() as gone:
        url = gone.url
    with pytest.raises(PublishFailed, match=f"could not be reached \\(GET {children}\\)"):
        NotionPublisher(NotionTarget(PARENT), TOKEN, api_url=url).publish(POSTMORTEM)


def test_long_paragraphs_are_split_into_text_objects_of_at_most_2000_characters(notion):
    long = "x" * 4500
    wide = "😀" * 1500  # 3,000 UTF-16 code units, as Notion counts
    markdown = f"{long}\n\n**{wide}**\n\n```\n{'y' * 2500}\n```\n"
    publisher(notion).publish(POSTMORTEM.model_copy(update={"markdown": markdown}))
    [page] = notion.state.live_pages()
    paragraph, emoji, code = page["blocks"]
    assert [len(i["text"]["content"]) for i in paragraph["paragraph"]["rich_text"]] == [2000, 2000, 500]
    assert [utf16(i["text"]["content"]) for i in emoji["paragraph"]["rich_text"]] == [2000, 1000]
    assert annotated(emoji, "bold") == ["😀" * 1000, "😀" * 500]
    assert text_of(paragraph) == long and text_of(emoji) == wide and text_of(code) == "y" * 2500


def test_a_block_of_more_than_100_text_objects_continues_in_another():
    text = "word " * 60_000  # 300,000 characters: 150 text objects
    made = blocks(text + "\n\n" + "a **b** " * 200)
    assert [(b.type, len(b.content["rich_text"])) for b in made] == [
        ("paragraph", n) for n in (100, 50, 100, 100, 100, 100)
    ]
    assert plain(made[0].content["rich_text"]) + plain(made[1].content["rich_text"]) == text.strip()


def test_a_post_mortem_of_wide_characters_goes_in_requests_under_500_kb(notion):
    wide = "😀" * 150_000  # 600 KB of UTF-8 in one paragraph
    publisher(notion).publish(POSTMORTEM.model_copy(update={"markdown": wide}))
    [page] = notion.state.live_pages()
    assert "".join(text_of(b) for b in page["blocks"]) == wide
    assert all(len(b["paragraph"]["rich_text"]) <= 100 for b in page["blocks"])
    assert len([m for m, _ in notion.state.calls if m == "PATCH"]) > 1  # the mock refuses over 500 KB


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("#>*_`|-[]()!~\n 1.")))
def test_any_markdown_makes_blocks_notions_description_and_limits_allow(text):
    pending = blocks(text)
    while pending:
        batch, pending = pending[:100], pending[100:]
        body = {"children": [b.request() for b in batch]}
        assert check_request("PATCH", f"/v1/blocks/{PARENT}/children", body)[2] == []
        for b in batch:
            assert rich_text_problems(b.content.get("rich_text", []), b.type) == []
            pending += b.children


def test_the_title_is_the_incident_number_and_title():
    assert page_title(POSTMORTEM) == TITLE


def test_the_mock_answers_as_notion_does():
    with NotionServer() as notion, httpx.Client(base_url=f"{notion.url}/v1") as client:
        children = f"/blocks/{PARENT}/children"
        missing = client.get(children, headers={"Authorization": f"Bearer {TOKEN}"})
        assert (missing.status_code, missing.json()["code"]) == (400, "missing_version")
        wrong = client.get(children, headers={**HEADERS, "Notion-Version": "2024-01-01"})
        assert (wrong.status_code, wrong.json()["code"]) == (400, "validation_error")
        no_token = client.get(children, headers={"Notion-Version": "2025-09-03"})
        assert (no_token.status_code, no_token.json()["code"]) == (401, "unauthorized")
        paragraph = {"type": "paragraph", "paragraph": {"rich_text": [{"text": {"content": "a"}}]}}
        many = client.patch(children, headers=HEADERS, json={"children": [paragraph] * 101})
        assert (many.status_code, many.json()["code"]) == (400, "validation_error")
        assert "body.children.length should be ≤ `100`, instead was `101`" in many.json()["message"]
        long = {"type": "paragraph", "paragraph": {"rich_text": [{"text": {"content": "a" * 2001}}]}}
        too_long = client.patch(children, headers=HEADERS, json={"children": [long]})
        assert too_long.status_code == 400
        assert "text.content.length should be ≤ `2000`, instead was `2001`" in too_long.json()["message"]
        assert notion.state.pages[PARENT]["blocks"] == []
        added = client.patch(children, headers=HEADERS, json={"children": [paragraph] * 100})
        assert added.status_code == 200 and len(added.json()["results"]) == 100
        listed = client.get(children, headers=HEADERS, params={"page_size": 60})
        assert (len(listed.json()["results"]), listed.json()["has_more"]) == (60, True)
        rest = client.get(
            children, headers=HEADERS, params={"page_size": 60, "start_cursor": listed.json()["next_cursor"]}
        )
        assert (len(rest.json()["results"]), rest.json()["has_more"]) == (40, False)
        code = {"type": "code", "code": {"rich_text": [], "language": "python"}}
        [made] = client.patch(children, headers=HEADERS, json={"children": [code]}).json()["results"]
        refused = client.patch(f"/blocks/{made['id']}/children", headers=HEADERS, json={"children": []})
        assert refused.status_code == 400
        page = {
            "parent": {"page_id": PARENT},
            "properties": {"title": {"title": [{"text": {"content": "T"}}]}},
        }
        created = client.post("/pages", headers=HEADERS, json=page).json()
        assert (created["object"], created["parent"], created["in_trash"]) == (
            "page",
            {"type": "page_id", "page_id": PARENT},
            False,
        )
        title = {"title": {"title": [{"text": {"content": "U"}}]}}
        renamed = client.patch(f"/pages/{created['id']}", headers=HEADERS, json={"properties": title})
        assert renamed.json()["properties"]["title"]["title"][0]["plain_text"] == "U"
        assert notion.state.pages[PARENT]["blocks"][-1]["child_page"] == {"title": "U"}
        trashed = client.patch(f"/pages/{created['id']}", headers=HEADERS, json={"in_trash": True})
        assert trashed.json()["in_trash"] is True
        closed = client.patch(f"/blocks/{created['id']}/children", headers=HEADERS, json={"children": []})
        assert closed.status_code == 400
        unknown = client.get("/blocks/not-an-id/children", headers=HEADERS)
        assert unknown.status_code == 400
        assert notion.state.violations == []
        assert client.get("/databases", headers=HEADERS).json()["code"] == "invalid_request_url"
        older = client.get(children, headers={**HEADERS, "Notion-Version": "2022-06-28"})
        assert older.status_code == 400
        assert notion.state.violations == [
            "GET /v1/databases is not described",
            "Notion-Version 2022-06-28: the mock serves 2025-09-03, as described",
        ]


def test_the_mock_refuses_what_notions_description_does_not_allow():
    children = f"/v1/blocks/{PARENT}/children"
    table = {"type": "table", "table": {"table_width": 2}}
    [problem] = check_request("PATCH", children, {"children": [table]})[2]
    assert problem.startswith("PATCH /v1/blocks/{block_id}/children: body: ")
    nested = {"type": "paragraph", "paragraph": {"rich_text": [], "children": []}}
    assert check_request("PATCH", children, {"children": [nested]})[2] != []
    with_object = {"object": "block", "type": "divider", "divider": {}}
    assert check_request("PATCH", children, {"children": [with_object]})[2] != []
    colour = {
        "type": "paragraph",
        "paragraph": {"rich_text": [{"text": {"content": "a"}, "plain_text": "a"}]},
    }
    assert check_request("PATCH", children, {"children": [colour]})[2] != []
    assert check_request("GET", f"{children}?page_size=ten", None)[2] == [
        "GET /v1/blocks/{block_id}/children: query 'page_size': 'ten' is not of type 'integer'"
    ]
    assert check_request("GET", f"{children}?limit=10", None)[2] == [
        "GET /v1/blocks/{block_id}/children: query 'limit' is not described"
    ]
    title = {"title": {"title": [{"text": {"content": "T"}}]}}
    assert check_request("POST", "/v1/pages", {"properties": title})[2] == [
        "POST /v1/pages: body: 'parent' is a required property"
    ]
    block = {"type": "paragraph", "paragraph": {"rich_text": []}}
    assert check_request(
        "POST", "/v1/pages", {"parent": {"page_id": PARENT}, "properties": title, "children": [block]}
    )[2] == [
        "POST /v1/pages: body: {'type': 'paragraph', 'paragraph': {'rich_text': []}} is not of type 'string'",
        "POST /v1/pages: body.children: the description has strings, Notion block objects: "
        "the mock takes none here (append them)",
    ]
    assert check_request("DELETE", "/v1/pages", None)[2] == ["DELETE /v1/pages is not described"]
    assert plain([{"text": {"content": "a"}}, {"text": {"content": "b"}}]) == "ab"
