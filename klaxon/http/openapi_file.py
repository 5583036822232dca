"""Write docs/openapi.json from the code: `python -m klaxon.http.openapi_file` after changing any route."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
COMMAND = "python -m klaxon.http.openapi_file"


def current() -> dict[str, Any]:
    """The OpenAPI document the code generates now (the one `GET /v1/openapi.json` serves)."""
    from klaxon.http.api_app import openapi_document

    return openapi_document()


def render() -> str:
    """The OpenAPI document as docs/openapi.json holds it: sorted keys, indent 2, final newline."""
    return json.dumps(current(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(path: Path = PATH) -> int:
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
