"""Every table and transaction in a process goes through one PynamoDB connection: PynamoDB builds a botocore
session per model and per `Connection()`, each loading botocore's models again (~50 ms, ~9 MB each)."""

from __future__ import annotations

import threading

from klaxon.adapters import tables
from klaxon.adapters.dynamodb_incidents import DynamoIncidentRepository
from klaxon.adapters.notifications import DynamoNotificationRepository

MODELS = [
    tables.IncidentItem,
    tables.DedupItem,
    tables.TimelineItem,
    tables.ConfigItem,
    tables.NotificationItem,
]


def test_every_model_and_repository_shares_one_connection():
    shared = tables.connection()
    for model in MODELS:
        table = model._get_connection()
        assert table.connection is shared, model.__name__
        assert shared.get_meta_table(model.Meta.table_name).table_name == model.Meta.table_name
    assert DynamoIncidentRepository()._connection is shared
    assert DynamoNotificationRepository()._connection is shared


def test_models_reaching_the_connection_at_once_register_each_table_once():
    for model in MODELS:
        model._connection = None  # as in a fresh process
    start = threading.Barrier(len(MODELS))
    errors: list[BaseException] = []

    def first_request(model: type) -> None:
        start.wait()
        try:
            model._get_connection()
        except BaseException as error:  # the test reports whatever it was
            errors.append(error)

    threads = [threading.Thread(target=first_request, args=(m,)) for m in MODELS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(m._get_connection().connection is tables.connection() for m in MODELS)


def test_the_tables_and_boto3_clients_are_built_on_one_botocore_session(monkeypatch):
    """Each botocore session loads the endpoint rules and lists every service's models on its first client:
    PynamoDB's session of its own beside boto3's made a cold function pay that twice."""
    import botocore.session

    from klaxon.adapters import aws

    built_on: list[object] = []
    create_client = botocore.session.Session.create_client

    def recorded(session: botocore.session.Session, *args: object, **kwargs: object) -> object:
        built_on.append(session)
        return create_client(session, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", recorded)
    aws.reset_clients()
    tables.connection.cache_clear()  # as in a fresh process
    try:
        aws.client("events")
        assert tables.connection().client is not None
        aws.client("secretsmanager")
    finally:
        aws.reset_clients()
        tables.connection.cache_clear()
    assert len(built_on) == 3
    assert all(session is aws.botocore_session() for session in built_on)
