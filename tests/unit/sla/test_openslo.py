"""OpenSLO v1 SLO documents become `slos` entries the configuration accepts, and `klaxon config
import-openslo` prints them; a document Klaxon cannot take is refused with why."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from klaxon.cli import app
from klaxon.config.openslo import OpenSloError, slo_entry
from klaxon.config.sla import SloConfig

MONTHLY = """
apiVersion: openslo/v1
kind: SLO
metadata:
  name: storefront
  annotations: {klaxon.dev/components: "checkout, payments"}
spec:
  service: storefront
  budgetingMethod: Timeslices
  objectives: [{displayName: Available, target: 0.999}]
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar: {startTime: "2026-01-01 00:00:00", timeZone: America/New_York}
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: api}
spec:
  service: api
  objectives: [{target: 0.995}]
  timeWindow: [{duration: 30d, isRolling: true}]
"""


def test_openslo_documents_become_slos_the_configuration_accepts(tmp_path):
    storefront, api = (slo_entry(d) for d in yaml.safe_load_all(MONTHLY))
    assert storefront == {
        "id": "storefront",
        "components": ["checkout", "payments"],
        "target": 99.9,
        "window": "calendar_month",
        "time_zone": "America/New_York",
    }
    assert api == {"id": "api", "components": ["api"], "target": 99.5, "window": "rolling_30d"}
    assert SloConfig.model_validate(storefront).to_domain().target == 99.9

    source = tmp_path / "slos.yaml"
    source.write_text(MONTHLY)
    printed = CliRunner().invoke(app, ["config", "import-openslo", str(source)])
    assert printed.exit_code == 0 and yaml.safe_load(printed.output) == {"slos": [storefront, api]}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"kind": "SLI"}, "not an OpenSLO v1 SLO"),
        (
            {
                "spec": {
                    "service": "x",
                    "objectives": [{"target": 99.9}],
                    "timeWindow": [{"duration": "30d", "isRolling": True}],
                }
            },
            "ratio",
        ),
        (
            {
                "spec": {
                    "service": "x",
                    "objectives": [{"target": 0.99}],
                    "timeWindow": [{"duration": "7d", "isRolling": True}],
                }
            },
            "time window",
        ),
    ],
)
def test_what_klaxon_cannot_take_is_refused_with_why(change, why):
    document = {**next(yaml.safe_load_all(MONTHLY)), **change}
    with pytest.raises(OpenSloError, match=why):
        slo_entry(document)
