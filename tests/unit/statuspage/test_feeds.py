"""history.rss and history.atom parse, and carry one entry per incident with its permalink."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest

from statuspage_site import render
from tests.unit.statuspage.factories import NOW, PAGE, incident, snapshot

ATOM = "{http://www.w3.org/2005/Atom}"
PERMALINK = "https://status.acme.example/incidents/p0001.html"


def feed(name, *incidents):
    return ET.fromstring(render(snapshot(*incidents), NOW)[name])


def test_rss_has_one_item_per_incident_newest_first():
    older = incident(2, started=NOW - timedelta(days=3), resolved_after=timedelta(hours=1))
    items = feed("history.rss", incident(1), older).findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Incident 1", "Incident 2"]


def test_an_rss_item_links_to_the_incident_permalink():
    (item,) = feed("history.rss", incident(1)).findall("channel/item")
    assert (item.findtext("link"), item.findtext("guid")) == (PERMALINK, PERMALINK)


def test_an_rss_item_carries_the_updates_as_html():
    (item,) = feed("history.rss", incident(1)).findall("channel/item")
    assert "<strong>Investigating</strong> - Investigating incident 1." in item.findtext("description")


def test_rss_dates_are_rfc_822():
    (item,) = feed("history.rss", incident(1)).findall("channel/item")
    assert item.findtext("pubDate") == "Fri, 27 Nov 2026 11:00:00 GMT"


def test_atom_has_an_entry_per_incident_with_an_absolute_id_and_link():
    (entry,) = feed("history.atom", incident(1)).findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}id") == PERMALINK
    assert entry.find(f"{ATOM}link").get("href") == PERMALINK


def test_atom_names_itself_and_its_page():
    root = feed("history.atom")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "self": "https://status.acme.example/history.atom",
        "alternate": "https://status.acme.example/history.html",
    }


def test_an_empty_history_is_still_a_valid_feed():
    assert feed("history.rss").find("channel/title").text == "Acme Status - Incident History"


@pytest.mark.parametrize("name", ["Acme Status", "Status"])
def test_both_feeds_are_titled_with_the_page_name_never_status_status(name):
    page = PAGE.model_copy(update={"name": name})
    files = render(snapshot().model_copy(update={"page": page}), NOW)
    atom_title = ET.fromstring(files["history.atom"]).findtext(f"{ATOM}title")
    rss_title = ET.fromstring(files["history.rss"]).findtext("channel/title")
    assert atom_title == rss_title == f"{name} - Incident History"
    assert "Status Status" not in atom_title
