"""Reading JSON from outside: every hostile shape is a JSONDecodeError (a 400), never another error."""

from __future__ import annotations

import json

import pytest

from klaxon.domain import json_text
from klaxon.domain.digests import same


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested deeper than 64"),
        ("[" * 65 + "]" * 65, "nested deeper than 64"),
        ('{"a":' * 65 + "1" + "}" * 65, "nested deeper than 64"),
        ("1" + "0" * 5_000, "4300 digits"),
        ('"\\ud800"', "lone UTF-16 surrogate"),
        ('{"\\udfff": 1}', "lone UTF-16 surrogate"),
        ('[{"a": ["x", "\\ud83d"]}]', "lone UTF-16 surrogate"),
        (b"\xff\xfe", "Expecting value"),
        (b"\x80abc", "decode"),
        ("{", "Expecting"),
    ],
)
def test_hostile_json_is_a_decode_error(text: str | bytes, says: str) -> None:
    with pytest.raises(json.JSONDecodeError, match=says):
        json_text.loads(text)


def test_ordinary_json_reads_as_json_does() -> None:
    text = '{"a": [1, 2.5, "\\ud83d\\ude00", null, true], "b": {"c": "' + "x" * 1000 + '"}}'
    assert json_text.loads(text) == json.loads(text)
    assert json_text.loads("[" * 64 + "]" * 64) == json.loads("[" * 64 + "]" * 64)


def test_secrets_compare_whatever_characters_are_sent() -> None:
    assert same("abc", "abc")
    assert not same("abc", "abd")
    assert not same("abc", "\u00e9t\u00e9")  # hmac.compare_digest raises TypeError for this str
    assert not same("abc", "\ud800")
