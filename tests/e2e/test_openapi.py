"""`/v1/openapi.json` is a valid OpenAPI 3.1 document describing every route the platform serves."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e.support import Platform

pytestmark = pytest.mark.e2e

Operation = tuple[str, str]  # (method, path) as OpenAPI spells them: ("post", "/v1/incidents/{incident_id}")
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# The routes any client of Klaxon relies on; new routes may come, none of these may go.
REQUIRED: set[Operation] = {
    ("post", "/v2/enqueue"),
    ("post", "/v2/change/enqueue"),
    ("post", "/v1/integrations/{kind}"),
    ("post", "/v1/integrations/{kind}/{key}"),
    ("get", "/healthz"),
    ("get", "/v1/incidents"),
    ("get", "/v1/incidents/{incident_id}"),
    ("post", "/v1/incidents/{incident_id}/acknowledge"),
    ("post", "/v1/incidents/{incident_id}/resolve"),
    ("get", "/v1/incidents/{incident_id}/timeline"),
}
THE_DOCUMENT_ITSELF: Operation = ("get", "/v1/openapi.json")
# Signed links answer HTML pages to people, not JSON to programs (docs/api.md lists them): acknowledge
# links in pages, and the confirm / unsubscribe links in status page subscribers' email.
ACK_PAGES: set[Operation] = {
    ("get", "/a/{token}"),
    ("post", "/a/{token}"),
    ("get", "/v1/statuspage/subscribers/confirm/{token}"),
    ("get", "/v1/statuspage/subscribers/unsubscribe/{token}"),
    ("post", "/v1/statuspage/subscribers/unsubscribe/{token}"),
}


@pytest.fixture(scope="module")
def document(platform: Platform) -> dict[str, Any]:
    response = platform.anonymous.get("/v1/openapi.json")  # public: tools fetch it without a token
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> set[Operation]:
    return {
        (method, path) for path, item in document["paths"].items() for method in item if method in METHODS
    }


def served_operations() -> set[Operation]:
    """Every route registered by the handler of every HTTP-facing function, as the gateway reaches them.

    Over HTTP a route nobody documented cannot be found, so this one check reads the handlers' route
    tables (Powertools keeps them in `_static_routes` and `_dynamic_routes`).
    """
    from klaxon.topology import FUNCTIONS, ROUTES

    served: set[Operation] = {("post", "/slack/events")}  # Bolt's (functions/slack.py): no route table
    for name in sorted({route.function for route in ROUTES} - {"slack"}):
        module = importlib.import_module(FUNCTIONS[name].handler.rpartition(".")[0])
        resolver = module.app
        for route in resolver._static_routes + resolver._dynamic_routes:
            served.add((route.method.lower(), re.sub(r"<(\w+)>", r"{\1}", route.path)))
    return served


def _walk(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _resolve(document: dict[str, Any], ref: str) -> object:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _spec_validator() -> Callable[[dict[str, Any]], None]:
    try:
        from openapi_spec_validator import OpenAPIV31SpecValidator, validate
    except ImportError:
        pytest.fail("openapi-spec-validator is not installed: `make test` installs it (the dev extras)")
    return lambda spec: validate(spec, cls=OpenAPIV31SpecValidator)


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"]), document["openapi"]

    _spec_validator()(document)


def test_document_has_the_structure_clients_rely_on(document: dict[str, Any]) -> None:
    assert document["info"]["title"]
    assert document["info"]["version"]
    for method, path in operations(document):
        operation = document["paths"][path][method]
        assert any(code.startswith("2") for code in operation["responses"]), f"{method} {path}: no 2xx"
        for name in re.findall(r"{(\w+)}", path):
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert name in declared, f"{method} {path}: path parameter {name!r} undeclared"
    ids = [document["paths"][p][m].get("operationId") for m, p in operations(document)]
    assert len(ids) == len(set(ids)), f"duplicate operationId: {sorted(map(str, ids))}"
    refs = {node["$ref"] for node in _walk(document) if isinstance(node.get("$ref"), str)}
    for ref in refs:
        assert ref.startswith("#/"), f"external $ref {ref}"
        _resolve(document, ref)  # a KeyError names the dangling reference


def test_document_lists_every_route_clients_rely_on(document: dict[str, Any]) -> None:
    assert REQUIRED - operations(document) == set()


def test_document_lists_every_route_the_functions_serve(document: dict[str, Any]) -> None:
    # The document does not describe itself (`include_in_schema=False`), like most APIs'.
    undocumented = served_operations() - {THE_DOCUMENT_ITSELF} - ACK_PAGES - operations(document)

    assert undocumented == set()


def _required_query(operation: dict[str, Any]) -> dict[str, str]:
    """Plausible values for the required query parameters, so a probe is not refused for lacking them."""
    values = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and parameter.get("required"):
            schema = parameter.get("schema", {})
            values[parameter["name"]] = "2026-01-05T09:00:00Z" if schema.get("format") == "date-time" else "1"
    return values


def test_every_documented_route_is_served_and_guarded_as_documented(
    platform: Platform, document: dict[str, Any]
) -> None:
    # Without credentials nothing is changed, yet the answer shows whether a route exists and is guarded.
    default_security = document.get("security", [])
    for method, path in sorted(operations(document)):
        operation = document["paths"][path][method]
        url = re.sub(r"{\w+}", "e2e-probe", path)

        response = platform.anonymous.request(method.upper(), url, params=_required_query(operation))

        where = f"{method.upper()} {path}: {response.status_code} {response.text[:200]}"
        assert response.status_code < 500, where
        assert not (response.status_code == 404 and "no route" in response.text), where
        if operation.get("security", default_security) in ([], [{}]):
            assert response.status_code != 401, f"documented as public: {where}"
        else:
            # Powertools validates a required body before the auth middleware runs: 400 comes first then.
            body_first = operation.get("requestBody", {}).get("required") and response.status_code == 400
            assert response.status_code == 401 or body_first, f"documented as guarded: {where}"
