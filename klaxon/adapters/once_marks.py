"""Marks that something was done once (a reminder sent, a month's message), in the config table: a
conditional put that only the first claimer wins."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from klaxon.adapters.tables import ConfigItem

_CONDITION_FAILED = ("ConditionalCheckFailedException",)


def claim(pk: str, sk: str) -> bool:
    """Mark (pk, sk) done; False when it was marked before."""
    try:
        ConfigItem(pk=pk, sk=sk).save(condition=ConfigItem.sk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code in _CONDITION_FAILED:
            return False
        raise
    return True


def release(pk: str, sk: str) -> None:
    """Unmark (pk, sk): what it stood for did not happen after all."""
    ConfigItem(pk=pk, sk=sk).delete()


def release_marked(pk: str, sk: str) -> bool:
    """Unmark (pk, sk) if it is marked; whether it was (only one caller learns it was)."""
    try:
        ConfigItem(pk=pk, sk=sk).delete(condition=ConfigItem.sk.exists())
    except DeleteError as exc:
        if exc.cause_response_code in _CONDITION_FAILED:
            return False
        raise
    return True
