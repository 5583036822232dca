"""Browser helpers for the status page tests: a page in a fresh context, axe-core, a page of another origin.

axe-core and Statuspage's widget are vendored from npm in tests/fixtures (each folder's README says the
version and origin), so no test needs the network.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import FIXTURES

AXE = FIXTURES / "axe-core" / "axe.min.js"
STATUS_WIDGET = FIXTURES / "status-widget" / "index.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VISITOR_ZONE = "Asia/Tokyo"  # far from UTC, so the local time differs visibly


@contextmanager
def page_at(
    browser: Any, url: str, *, javascript: bool = True, dark: bool = False
) -> Iterator[tuple[Any, list[str]]]:
    """The page at `url` in a fresh context, and the script errors and console errors it logged."""
    context = browser.new_context(
        java_script_enabled=javascript,
        timezone_id=VISITOR_ZONE,
        color_scheme="dark" if dark else "light",
        viewport={"width": 960, "height": 900},
    )
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        yield page, errors
    finally:
        context.close()


def axe_violations(page: Any) -> list[str]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now, one line per element."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    return [
        f"{violation['id']} {node['target']}: {node['failureSummary']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]


@contextmanager
def _serving(body: str) -> Iterator[str]:
    """A second web server on the loopback interface, another port: another origin, in the same private
    address space as `klaxon up` (Chromium keeps public pages from reading loopback ones)."""
    widget = STATUS_WIDGET.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            content, kind = (
                (widget, "text/javascript")
                if self.path == "/status-widget.js"
                else (body.encode(), "text/html")
            )
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="other-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def other_site(browser: Any, body: str) -> Iterator[tuple[Any, list[str]]]:
    """A page of another origin whose HTML is `body` (it may load /status-widget.js), and its errors."""
    context = browser.new_context()
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    with _serving(body) as origin:
        try:
            page.goto(f"{origin}/")
            yield page, errors
        finally:
            context.close()


def widget_page(status_page_url: str) -> str:
    """Another site's page embedding `<statuspage-widget>` pointed at the status page."""
    return (
        '<!doctype html><html lang="en"><head><title>Acme Shop</title>'
        # The widget's bundle assigns the global parcelRequire under "use strict": declared, it may.
        "<script>var parcelRequire;</script>"
        '<script src="/status-widget.js"></script></head>'
        f'<body><h1>Acme Shop</h1><statuspage-widget src="{status_page_url}"></statuspage-widget>'
        "</body></html>"
    )
