"""Page wording: one SMS segment with the ack code, escaped SSML, an email with its link, a push."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from klaxon.domain.incident.models import Priority
from klaxon.domain.paging.messages import (
    SMS_SEGMENT,
    email_message,
    gsm7_septets,
    push_message,
    sms_text,
    to_gsm7,
    voice_ssml,
)
from klaxon.domain.paging.pages import Page
from klaxon.domain.paging.policy import Channel

LONG_TITLE = "Checkout error rate above 5% for 10 minutes on every region, p99 latency 4.2s, " * 3


def page(**changes: object) -> Page:
    fields: dict[str, object] = {
        "incident_id": "0f3c",
        "incident_number": 12,
        "title": "Checkout error rate above 5%",
        "service": "checkout",
        "priority": Priority.P1,
        "user": "alice",
        "user_name": "Alice Anders",
        "channel": Channel.SMS,
        "address": "+15550101001",
        "step": 0,
        "loop": 0,
        "ack_url": "https://klaxon.example/a/token",
    }
    return Page.model_validate(fields | changes)


def test_sms_carries_number_priority_service_title_and_the_ack_code():
    assert sms_text(page()) == (
        "Klaxon #12 P1 checkout: Checkout error rate above 5%\nReply ACK 12 or RES 12"
    )


def test_sms_with_a_long_title_fits_one_segment_and_keeps_the_ack_code():
    text = sms_text(page(title=LONG_TITLE))
    assert gsm7_septets(text) == SMS_SEGMENT
    assert "...\nReply ACK 12" in text


def test_sms_of_a_drill_says_so_first():
    assert sms_text(page(drill=True)).startswith("[DRILL] Klaxon #12")


def test_sms_puts_a_multiline_title_on_one_line():
    assert "Checkout down: see runbook" in sms_text(page(title="Checkout down:\n\n  see runbook"))


def test_sms_rewrites_characters_that_would_force_ucs2():
    text = sms_text(page(title="\u201cPayments\u201d \u2013 café naïve ✨"))  # curly quotes, en dash
    assert '"Payments" - café naive ?' in text  # é is GSM-7, ï is not
    assert gsm7_septets(text) is not None


@given(
    title=st.text(max_size=400),
    number=st.integers(min_value=1, max_value=9_999_999),
    service=st.from_regex(r"[a-z0-9][a-z0-9._-]{0,39}", fullmatch=True),
    drill=st.booleans(),
)
def test_sms_is_always_one_gsm7_segment_for_services_up_to_40_characters(title, number, service, drill):
    text = sms_text(page(title=title, incident_number=number, service=service, drill=drill))
    septets = gsm7_septets(text)
    assert septets is not None
    assert septets <= SMS_SEGMENT
    assert text.endswith(f"Reply ACK {number} or RES {number}")


def test_gsm7_counts_extended_characters_twice_and_refuses_emoji():
    assert gsm7_septets("a[b]") == 6
    assert gsm7_septets("fire 🔥") is None


def test_to_gsm7_leaves_gsm7_characters_alone():
    assert to_gsm7("ÄÖÑÜ äöñü à é @£$ {}") == "ÄÖÑÜ äöñü à é @£$ {}"


def test_voice_ssml_is_well_formed_even_when_the_title_has_markup():
    ssml = voice_ssml(page(title='<break time="9s"/> & "quotes"'))
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    assert '<break time="9s"/>' not in ssml
    assert "&lt;break" in ssml


def test_voice_reads_the_incident_and_how_to_acknowledge_it():
    ssml = voice_ssml(page())
    assert "Incident 12, priority 1, on checkout: Checkout error rate above 5%." in ssml
    assert 'reply <say-as interpret-as="characters">ACK</say-as> 12' in ssml


def test_voice_of_a_drill_says_it_is_a_drill():
    assert "<p>This is a drill.</p>" in voice_ssml(page(drill=True))


def test_voice_drops_control_characters_from_the_title():
    ET.fromstring(voice_ssml(page(title="bad\x00byte\x1b")))


def test_email_subject_names_the_incident():
    assert email_message(page()).subject == "[Klaxon] #12 P1 checkout: Checkout error rate above 5%"


def test_email_subject_of_a_drill_is_marked():
    assert email_message(page(drill=True)).subject.startswith("[DRILL] [Klaxon] #12")


def test_email_html_has_the_one_click_ack_link():
    assert '<a href="https://klaxon.example/a/token"' in email_message(page()).html


def test_email_text_has_the_ack_link_and_the_sms_code():
    text = email_message(page()).text
    assert "Acknowledge: https://klaxon.example/a/token" in text
    assert "reply ACK 12" in text


def test_email_html_escapes_the_title():
    html = email_message(page(title="<script>alert(1)</script>")).html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_email_without_an_http_link_has_no_button():
    message = email_message(page(ack_url="javascript:alert(1)"))
    assert "javascript:" not in message.html
    assert "Acknowledge:" not in message.text


def test_push_title_is_the_headline_and_its_body_the_title():
    pushed = push_message(page(drill=True))
    assert (pushed.title, pushed.body) == ("[DRILL] #12 P1 checkout", "Checkout error rate above 5%")


def test_push_body_is_cut_to_what_a_lock_screen_shows():
    assert len(push_message(page(title=LONG_TITLE)).body) == 178
