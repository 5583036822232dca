"""Shared pieces of the `klaxon` command: API options, HTTP calls with readable errors, tables."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from klaxon.settings import ClientSettings

ApiOption = Annotated[
    str, typer.Option("--api", envvar=ClientSettings.env_name("api"), help="Base URL of the Klaxon API")
]
TokenOption = Annotated[
    str, typer.Option("--token", envvar=ClientSettings.env_name("api_token"), help="API token")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table")]
DEFAULT_API = "http://127.0.0.1:8080"
DEFAULT_TOKEN = "klaxon-dev-token"


def call(api: str, token: str, method: str, path: str, **kwargs: Any) -> Any:
    """Call the API; print its message and errors and exit non-zero on a 4xx/5xx or no answer."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}  # keyed routes take no token
    try:
        with httpx.Client(base_url=api.rstrip("/"), headers=headers, timeout=30.0) as client:
            response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        typer.secho(f"cannot reach {api}: {exc}", err=True, fg="red")
        raise typer.Exit(2) from exc
    body = response.json() if response.content and "json" in response.headers.get("content-type", "") else {}
    if response.status_code >= 400:
        typer.secho(f"{response.status_code}: {body.get('message', response.text)}", err=True, fg="red")
        for error in body.get("errors", []):
            typer.secho(f"  - {error}", err=True, fg="red")
        raise typer.Exit(1)
    return body if body else response.text


def every_page(api: str, token: str, path: str, key: str) -> list[Any]:
    """Every item of a paged list (`key` in each page), following `next` to the last page."""
    found: list[Any] = []
    cursor = None
    while True:
        page = call(api, token, "GET", path, params={"next": cursor} if cursor else None)
        found += page[key]
        cursor = page.get("next")
        if not cursor:
            return found


class TimelineFollower:
    """The entries added to an incident's timeline since the last look (`incidents watch`, `drill`): the
    page it was on is read again from its cursor, and the pages after it, so a long incident's timeline is
    not read whole at each look."""

    def __init__(self, api: str, token: str, incident_id: str) -> None:
        self.api, self.token, self.path = api, token, f"/v1/incidents/{incident_id}/timeline"
        self.cursor: str | None = None  # of the page being read (None: the first)
        self.shown = 0  # of its entries

    def new_entries(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            params = {"next": self.cursor} if self.cursor else None
            page = call(self.api, self.token, "GET", self.path, params=params)
            found += page["timeline"][self.shown :]
            if not page.get("next"):  # the last page, which may grow
                self.shown = max(self.shown, len(page["timeline"]))
                return found
            self.cursor, self.shown = page["next"], 0


def table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Table(*columns, title=title)
    for row in rows:
        out.add_row(*[str(row.get(c) if row.get(c) is not None else "") for c in columns])
    Console().print(out)


def print_errors(errors: list[str]) -> None:
    for line in errors:
        typer.secho(line, err=True, fg="red")
