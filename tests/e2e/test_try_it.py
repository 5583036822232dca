"""The "try it" block `klaxon up` prints works as printed: its curl opens the incident it names."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import ROOT
from tests.e2e.support import klaxon_up, read_log, wait_for


def test_the_printed_curl_opens_the_incident_the_printed_commands_name(tmp_path: Path) -> None:
    with klaxon_up(tmp_path / "up.log", "--ephemeral") as (api, _):
        banner = read_log(tmp_path / "up.log")
        curl = next(line.strip() for line in banner.splitlines() if line.strip().startswith("curl "))
        number = int(re.search(r"klaxon watch (\d+)", banner).group(1))  # type: ignore[union-attr]
        answer = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=30, check=True)
        assert '"status":"success"' in answer.stdout, answer
        found = wait_for(
            lambda: [i for i in api.get("/v1/incidents").json()["incidents"] if i["number"] == number],
            what=f"incident #{number}",
        )
        assert found[0]["priority"] == "P1"
        export = next(line.strip() for line in banner.splitlines() if line.strip().startswith("export "))
        ack = next(line.split("#")[0].strip() for line in banner.splitlines() if " ack " in line)
        acked = subprocess.run(
            ["bash", "-c", f"{export} && {ack}"],
            check=False,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert acked.returncode == 0, acked.stderr
        assert api.get(f"/v1/incidents/{found[0]['id']}").json()["status"] == "acknowledged"
        summary_url = re.search(r"Statuspage JSON at (\S+)\)", banner).group(1)  # type: ignore[union-attr]
        summary = wait_for(lambda: (r := api.get(summary_url)).status_code == 200 and r, what=summary_url)
        assert summary.headers["access-control-allow-origin"] == "*"
        assert summary.json()["page"]["name"] == "Acme Status"
    assert "API token     klaxon-dev-token" in banner
    assert re.search(r"export KLAXON_API=http://127\.0\.0\.1:\d+ KLAXON_API_TOKEN=klaxon-dev-token", banner)
    assert re.search(rf"klaxon ack {number} ", banner)
