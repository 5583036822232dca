"""The published API docs match the code: docs/openapi.json is current and docs/api.md covers every route."""

from __future__ import annotations

from klaxon.http.openapi_file import COMMAND, PATH, current, render

API_MD = PATH.parent / "api.md"


def test_openapi_json_is_the_document_the_code_generates() -> None:
    assert PATH.is_file(), f"{PATH} is missing: run `{COMMAND}`"
    assert PATH.read_text(encoding="utf-8") == render(), (
        f"{PATH} is out of date with the routes in functions/: regenerate it with `{COMMAND}`"
    )


def test_api_md_documents_every_operation_of_the_openapi_document() -> None:
    text = API_MD.read_text(encoding="utf-8")
    operations = [
        f"`{method.upper()} {path}`" for path, methods in current()["paths"].items() for method in methods
    ]
    missing = [operation for operation in operations if operation not in text]
    assert operations
    assert not missing, f"docs/api.md does not document (as `METHOD /path`): {', '.join(sorted(missing))}"


def test_exactly_the_routes_that_may_be_busy_document_a_503() -> None:
    from klaxon.http.openapi import MAY_BE_BUSY

    documented = {
        (method, path)
        for path, methods in current()["paths"].items()
        for method, operation in methods.items()
        if "503" in operation["responses"]
    }
    assert documented == MAY_BE_BUSY  # each listed route exists, and no other says it may be busy
    busy = current()["paths"]["/v1/config"]["put"]["responses"]["503"]
    assert "Retry-After" in busy["headers"]
