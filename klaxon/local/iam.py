"""The functions' IAM, enforced locally: a function's write to a table its role may not write, or to a
config-table partition outside its `dynamodb:LeadingKeys`, is refused as AWS would refuse it
(AccessDeniedException). The grants are infra.permissions.ACCESS, the same table CDK synthesizes the
roles from, so every test that drives the local platform also tests least privilege.

Writes made outside a function (the platform's own setup, a test's fixtures) are not checked.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from moto.core.exceptions import JsonRESTError

from infra.permissions import access_of
from klaxon.local.invoker import RUNNING
from klaxon.settings import TABLE_KINDS, Settings


class AccessDenied(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("AccessDeniedException", message)


class LocalIam:
    def __init__(self, settings: Settings) -> None:
        self.kinds = {settings.table(kind): kind for kind in TABLE_KINDS}

    def check_write(self, table: str, key: dict[str, Any]) -> None:
        function = RUNNING.get()
        kind = self.kinds.get(table)
        if function is None or kind is None:
            return
        access = access_of(function)
        if kind not in access.writes:
            raise AccessDenied(
                f"{function} is not authorized to write the {kind} table (infra/permissions.py)"
            )
        if kind != "config" or access.config_keys is None:
            return
        partition = _partition(key)
        if not any(fnmatchcase(partition, pattern) for pattern in access.config_keys):
            raise AccessDenied(
                f"{function} is not authorized to write config items under {partition!r}: its "
                f"dynamodb:LeadingKeys are {', '.join(access.config_keys)} (infra/permissions.py)"
            )


def _partition(key: dict[str, Any]) -> str:
    """The partition key's value of a DynamoDB JSON key (`{"pk": {"S": "counter"}, ...}`)."""
    value = key.get("pk", {})
    return str(value.get("S", "")) if isinstance(value, dict) else str(value)
