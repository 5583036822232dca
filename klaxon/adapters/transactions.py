"""DynamoDB transactions cancelled by contention, told apart from those a condition refused.

DynamoDB cancels a transaction when one of its conditions fails (reason `ConditionalCheckFailed`), and also
when another write to one of its items is in progress (`TransactionConflict`) or a partition is throttled
(`ThrottlingError`); botocore retries none of these. The escalation's claims and reservations read every
cancellation as "not ours": an alert's update of an incident landing as its tick was claimed ended the
tick, paging nobody until the sweeper restored it a minute later; an acknowledgement so cancelled re-read
the incident still triggered and was answered as done. `commit` retries a contended transaction a few
times; what stays contended is raised as what it is, so the task or request fails and is retried
(`commit_for_request` raises it as Busy: a request is answered 503 with `Retry-After`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from klaxon.domain.errors import Busy

CONTENTION = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)
ATTEMPTS = 4
BACKOFF_SECONDS = 0.05  # then 0.1 and 0.2: about a third of a second in all


def refused(exc: TransactWriteError) -> bool:
    """A condition of the transaction failed: what it wrote is not the writer's to write."""
    if exc.cause_response_code == "ConditionalCheckFailedException":
        return True
    return exc.cause_response_code == "TransactionCanceledException" and any(
        reason is not None and reason.code == "ConditionalCheckFailed" for reason in exc.cancellation_reasons
    )


def contended(exc: TransactWriteError) -> bool:
    """Cancelled by other writes or by throttling, and by no condition: the same writes may commit later."""
    if exc.cause_response_code != "TransactionCanceledException" or refused(exc):
        return False
    codes = {reason.code for reason in exc.cancellation_reasons if reason is not None}
    return bool(codes) and codes <= CONTENTION


def commit(connection: Connection, write: Callable[[TransactWrite], None]) -> None:
    """Run `write`'s transaction, again after a short wait while contention cancels it (ATTEMPTS in all).
    Raises the last TransactWriteError: refused by a condition, contended still, or anything else."""
    for attempt in range(ATTEMPTS):
        try:
            with TransactWrite(connection=connection) as tx:
                write(tx)
            return
        except TransactWriteError as exc:
            if attempt + 1 == ATTEMPTS or not contended(exc):
                raise
        time.sleep(BACKOFF_SECONDS * 2**attempt)


def commit_for_request(connection: Connection, write: Callable[[TransactWrite], None]) -> None:
    """`commit`, with what stays contended raised as Busy (a request's 503 with `Retry-After`, a task's
    failure and retry) instead of a 502; a refusal, or anything else, raised as it is."""
    try:
        commit(connection, write)
    except TransactWriteError as exc:
        if contended(exc):
            raise Busy("other changes to the same items are being written; try again in a second") from exc
        raise
