"""The small HTML pages the API answers itself (acknowledge links, subscriber confirm/unsubscribe):
one page shell, one set of headers, one stylesheet with a per-page accent colour."""

from __future__ import annotations

import html

from aws_lambda_powertools.event_handler import Response

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}


def stylesheet(accent: str, extra: str = "") -> str:
    """The pages' CSS: readable text, one big button in `accent`, a visible focus ring."""
    return (
        "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:34rem;"
        "margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}"
        f"{extra}button{{font-size:1.1rem;padding:.75rem 1.5rem;border:0;border-radius:.3rem;"
        f"background:{accent};color:#fff;cursor:pointer}}"
        "button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}"
    )


def page(status: int, title: str, body: str, *, css: str, title_suffix: str = "") -> Response[str]:
    """A whole HTML document: `title` as the heading, `body` (already escaped HTML) below it."""
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}{html.escape(title_suffix)}</title><style>{css}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return Response(
        status_code=status, content_type="text/html; charset=utf-8", body=document, headers=dict(HEADERS)
    )
