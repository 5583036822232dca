"""The learning reports as files for people and spreadsheets: CSV (one row per figure) and a printable
HTML page with charts drawn by matplotlib (inline SVG, no script, nothing fetched when it is opened)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATE = "report.html.j2"
GOAL_COLOUR, CREATED, COMPLETED, ACK, RESOLVE = "#b42318", "#98a2b3", "#1f6feb", "#1f6feb", "#7a5af8"


def actions_csv(body: dict[str, Any]) -> str:
    """A row per month, team and service."""
    columns = ["month", "team", "service", "created", "completed", "completion_rate"]
    return _csv(columns, body["groups"])


def response_csv(body: dict[str, Any]) -> str:
    """A row per group (all, each service, team, priority, month): incidents and the MTTA/MTTR figures."""
    columns = ["by", "key", "incidents"] + [
        f"{what}_{figure}"
        for what in ("acknowledge", "resolve")
        for figure in ("count", "mean_minutes", "median_minutes", "p90_minutes")
    ]
    rows = [
        {
            "by": r["by"],
            "key": r["key"],
            "incidents": r["incidents"],
            **{
                f"{what}_{name}": r[what][name]
                for what in ("acknowledge", "resolve")
                for name in r[what]
                if name != "incidents"
            },
        }
        for r in body["rows"]
    ]
    return _csv(columns, rows)


def sla_csv(body: dict[str, Any]) -> str:
    """A row per contract and month: target, availability, consumed and allowed minutes, credit owed."""
    columns = [
        "customer",
        "slo",
        "target",
        "month",
        "availability_percent",
        "consumed_minutes",
        "allowed_minutes",
    ]
    rows = [
        {"customer": body["customer"], "slo": c["slo"], "target": c["target"], **month}
        for c in body["contracts"]
        for month in c["months"]
    ]
    return _csv([*columns, "credit_percent"], rows)


CSV = {"actions": actions_csv, "response": response_csv, "sla": sla_csv}


def _csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: "" if row.get(c) is None else row[c] for c in columns} for row in rows)
    return out.getvalue()


def _svg(figure: Any) -> str:
    from matplotlib import pyplot

    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    pyplot.close(figure)
    text = out.getvalue()
    return text[text.index("<svg") :]  # inline: without the XML prolog and doctype


def _figure(title: str) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    pyplot.rcParams["svg.hashsalt"] = "klaxon"  # the same report draws the same file
    figure, axes = pyplot.subplots(figsize=(8, 3.2))
    axes.set_title(title, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def actions_chart(body: dict[str, Any]) -> str:
    """Created and completed per month, the completion rate against the goal."""
    months = [m["month"] for m in body["months"]]
    figure, axes = _figure("Action items per month")
    if months:
        places = range(len(months))
        axes.bar(
            [p - 0.2 for p in places],
            [m["created"] for m in body["months"]],
            0.4,
            label="created",
            color=CREATED,
        )
        axes.bar(
            [p + 0.2 for p in places],
            [m["completed"] for m in body["months"]],
            0.4,
            label="completed",
            color=COMPLETED,
        )
        axes.set_xticks(list(places), months)
        rates = axes.twinx()
        rates.plot(
            list(places),
            [(m["completion_rate"] or 0) * 100 for m in body["months"]],
            "o-",
            color="#101828",
            label="done %",
        )
        rates.axhline(body["goal"] * 100, color=GOAL_COLOUR, linestyle="--", linewidth=1, label="goal")
        rates.set_ylim(0, 105)
        rates.set_ylabel("% done")
        axes.legend(loc="upper left", frameon=False)
    else:
        axes.text(0.5, 0.5, "No action items in this window", ha="center", transform=axes.transAxes)
    return _svg(figure)


def response_chart(body: dict[str, Any]) -> str:
    """Median and p90 time to acknowledge and to resolve, per month."""
    months = [r for r in body["rows"] if r["by"] == "month"]
    figure, axes = _figure("Minutes to acknowledge and to resolve, per month (median; p90 dotted)")
    if months:
        labels = [r["key"] for r in months]
        for what, colour in (("acknowledge", ACK), ("resolve", RESOLVE)):
            axes.plot(
                labels,
                [r[what]["median_minutes"] or 0 for r in months],
                "o-",
                color=colour,
                label=f"{what} (median)",
            )
            axes.plot(
                labels,
                [r[what]["p90_minutes"] or 0 for r in months],
                "o:",
                color=colour,
                label=f"{what} (p90)",
            )
        axes.set_ylabel("minutes")
        axes.legend(loc="upper left", frameon=False, fontsize=8)
    else:
        axes.text(0.5, 0.5, "No incidents in this window", ha="center", transform=axes.transAxes)
    return _svg(figure)


def burn_down(contract: dict[str, Any], figure_and_axes: tuple[Any, Any] | None = None) -> Any:
    """The budget left through the period, day by day, against zero."""
    figure, axes = figure_and_axes or _figure(f"{contract['slo']}: budget left (minutes)")
    days = [day for day, _ in contract["burn_down"]]
    left = [value for _, value in contract["burn_down"]]
    axes.plot(range(len(days)), left, "-", color=ACK)
    axes.axhline(0, color=GOAL_COLOUR, linestyle="--", linewidth=1)
    step = max(len(days) // 6, 1)
    axes.set_xticks(list(range(0, len(days), step)), days[::step], fontsize=8)
    axes.set_ylabel("minutes left")
    return figure


def sla_charts(body: dict[str, Any]) -> str:
    return "".join(_svg(burn_down(contract)) for contract in body["contracts"])


def sla_pdf(body: dict[str, Any], title: str) -> bytes:
    """A printable PDF (matplotlib's): a page per contract with its figures, months, incidents and chart."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from matplotlib.backends.backend_pdf import PdfPages

    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": title, "CreationDate": None}) as pdf:
        for contract in body["contracts"]:
            figure = pyplot.figure(figsize=(8.27, 11.69))  # A4
            figure.text(0.08, 0.95, f"{body['page_name']} · {title}", fontsize=14, weight="bold")
            lines = _pdf_lines(body, contract)
            figure.text(0.08, 0.90, "\n".join(lines), fontsize=9, va="top", family="monospace")
            axes = figure.add_axes((0.1, 0.08, 0.8, 0.25))
            burn_down(contract, (figure, axes))
            pdf.savefig(figure)
            pyplot.close(figure)
    return out.getvalue()


PDF_INCIDENTS = 25  # the incidents a contract's page has room for


def _pdf_incident(incident: dict[str, Any]) -> str:
    start, end = incident["start"], incident["end"]
    same_day = end[:10] == start[:10]
    until = end[11:16] if same_day else end[:16]  # the end's date when it is another day's
    name = incident["name"][: 60 if same_day else 49]  # the line keeps its width
    return (
        f"  {start[:16]} to {until}  {name}  {incident['status']} x{incident['weight']:g}: "
        f"{incident['minutes']:g} min"
    )


def _pdf_lines(body: dict[str, Any], contract: dict[str, Any]) -> list[str]:
    achieved = f"{contract['target']}% promised, {contract['availability_percent']}% achieved"
    used = f"{contract['consumed_minutes']} of {contract['allowed_minutes']} budget minutes used"
    components = ", ".join(f"{c} {a}%" for c, a in contract["component_availability"].items())
    months = [
        f"{m['month']}: {m['availability_percent']}%, credit owed {m['credit_percent']:g}%"
        for m in contract["months"]
    ]
    counted = contract["incidents"]
    incidents = [_pdf_incident(i) for i in counted[:PDF_INCIDENTS]]
    if len(counted) > PDF_INCIDENTS:  # a page holds no more; say so rather than leave them out unsaid
        more = len(counted) - PDF_INCIDENTS
        incidents.append(f"  ... and {more} more: the html and json forms list every one")
    return [
        f"{body['start'][:10]} to {body['end'][:10]} (UTC)",
        f"{contract['slo']}: {achieved}",
        f"{used}; maintenance left out: {contract['maintenance_minutes']} min",
        f"Per component: {components}",
        *months,
        "Incidents that counted:",
        *incidents,
    ]


def html(kind: str, body: dict[str, Any], title: str) -> str:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent), autoescape=select_autoescape(["j2", "html"])
    )
    charts = {"actions": actions_chart, "response": response_chart, "sla": sla_charts}
    chart = charts[kind](body)
    return environment.get_template(TEMPLATE).render(kind=kind, body=body, title=title, chart=chart)
