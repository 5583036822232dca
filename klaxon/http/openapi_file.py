"""Write docs/openapi.json from the code: `python -m klaxon.http.openapi_file` after changing any route."""

from __future__ import annotations

import json
import sys
from pathlib import Path

PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
COMMAND = "python -m klaxon.http.openapi_file"


def render() -> str:
    """The OpenAPI document as docs/openapi.json holds it: sorted keys, indent 2, final newline."""
    from klaxon.http.openapi import document

    return json.dumps(document(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def main(path: Path = PATH) -> int:
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
