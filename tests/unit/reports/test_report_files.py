"""The reports as files: CSV a spreadsheet reads back, and a self-contained printable HTML page whose charts
are matplotlib's SVG (no script, nothing fetched), with the warning first and every value escaped."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from klaxon.cli import report_files
from klaxon.domain.incident.models import IncidentStatus, Priority
from klaxon.domain.reports.actions import action_report
from klaxon.domain.reports.response import response_report
from tests.unit.chat.test_room_service import an_incident
from tests.unit.reports.test_learning_reports import DEC, NOV, NOW, TEAMS, item, postmortem


def actions_body() -> dict:
    items = [
        item("<script>alert(1)</script>", NOV + timedelta(days=1), due=date(2026, 12, 1)),
        item("B", NOV + timedelta(days=2), done=True),
    ]
    return action_report([postmortem("inc7", "checkout", *items)], TEAMS, NOV, DEC, NOW).model_dump(
        mode="json"
    )


def response_body() -> dict:
    incident = an_incident(
        created_at=NOV + timedelta(days=1),
        acknowledged_at=NOV + timedelta(days=1, minutes=3),
        resolved_at=NOV + timedelta(days=1, minutes=45),
        status=IncidentStatus.RESOLVED,
    )
    return response_report([incident], {}, TEAMS, frozenset({Priority.P1}), NOV, DEC, NOW).model_dump(
        mode="json"
    )


def test_the_actions_csv_has_a_row_per_month_team_and_service():
    rows = list(csv.DictReader(io.StringIO(report_files.actions_csv(actions_body()))))
    assert rows == [
        {
            "month": "2026-11",
            "team": "web",
            "service": "checkout",
            "created": "2",
            "completed": "1",
            "completion_rate": "0.5",
        }
    ]


def test_the_response_csv_has_every_figure():
    rows = list(csv.DictReader(io.StringIO(report_files.response_csv(response_body()))))
    first = rows[0]
    assert (
        first["by"],
        first["incidents"],
        first["acknowledge_mean_minutes"],
        first["resolve_p90_minutes"],
    ) == (
        "all",
        "1",
        "3.0",
        "45.0",
    )


def test_the_html_is_printable_self_contained_and_escaped():
    page = report_files.html("actions", actions_body(), "Action items, 2026-11")
    assert page.index('class="warning"') < page.index("<svg")  # the warning comes first
    assert "Only 50% of the action items created in 2026-11" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert " src=" not in page and "<link" not in page and "@import" not in page  # nothing fetched
    assert report_files.html("actions", actions_body(), "x") == report_files.html(
        "actions", actions_body(), "x"
    )
    response = report_files.html("response", response_body(), "Response times")
    assert "<svg" in response and "0 of 0 post-mortems" not in response


def sla_body() -> dict:
    from klaxon.domain.sla.budget import Slo
    from klaxon.domain.sla.customers import Contract, Credit, Customer
    from klaxon.domain.sla.report import sla_report
    from klaxon.domain.statuspage.models import ComponentStatus
    from tests.unit.statuspage.factories import incident

    down = incident(
        1,
        {"checkout": ComponentStatus.MAJOR_OUTAGE},
        started=NOV + timedelta(days=2),
        resolved_after=timedelta(minutes=30),
    )
    acme = Customer(
        id="acme",
        name="Acme",
        components=frozenset({"checkout"}),
        contracts=(Contract("web", 99.95, (Credit(99.95, 10),)),),
    )
    slo = Slo(id="web", components=frozenset({"checkout"}), target=99.9)
    return sla_report(acme, {"web": slo}, [down], {}, "Acme Status", NOV, DEC, NOW).model_dump(mode="json")


def test_the_sla_report_is_a_csv_row_per_month_a_printable_page_and_a_pdf():
    body = sla_body()
    (row,) = csv.DictReader(io.StringIO(report_files.sla_csv(body)))
    assert (row["month"], row["consumed_minutes"], row["credit_percent"]) == ("2026-11", "30.0", "10.0")
    page = report_files.html("sla", body, "Acme: SLA report, 2026-11")
    assert "99.95% promised, 99.9306% achieved" in page and "<svg" in page and "Incident 1" in page
    pdf = report_files.sla_pdf(body, "Acme: SLA report, 2026-11")
    assert pdf.startswith(b"%PDF") and report_files.sla_pdf(body, "Acme: SLA report, 2026-11") == pdf


def test_a_pdf_page_says_how_many_incidents_it_has_no_room_for_and_dates_an_end_on_another_day():
    contract = sla_body()["contracts"][0]
    one = contract["incidents"][0]
    overnight = {**one, "start": "2026-11-03T23:50:00+00:00", "end": "2026-11-04T01:10:00+00:00"}
    contract = {**contract, "incidents": [overnight] * 30}
    lines = report_files._pdf_lines(sla_body(), contract)
    assert sum("2026-11-03T23:50 to 2026-11-04T01:10" in line for line in lines) == report_files.PDF_INCIDENTS
    assert lines[-1] == "  ... and 5 more: the html and json forms list every one"
