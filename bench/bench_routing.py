"""Routing decision time per alert with 500 rules: label, regex, `in` and `exists` conditions mixed."""

from __future__ import annotations

import json
import random
import statistics
import time
from datetime import UTC, datetime

from klaxon.domain.incident.models import Alert, AlertAction, Severity
from klaxon.domain.intake.routing import AlertField, Condition, Operator, Rule, compile_rules, decide

RULES = 500
TEAMS = [f"team-{i}" for i in range(60)]
SERVICES = ["checkout", "payments", "search", "platform"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def rules(count: int = RULES, seed: int = 3) -> list[Rule]:
    """Mostly label equality (the common case), some regexes on the summary, `in` and `exists` in others.

    A quarter of the alerts carry a team no rule names: they try every regex rule, the slow path.
    """
    rng = random.Random(seed)
    out = []
    for i in range(count):
        first = rng.random()
        if first < 0.7:
            conditions = [Condition(label="team", operator=Operator.EQUALS, value=rng.choice(TEAMS))]
        elif first < 0.85:
            conditions = [
                Condition(field=AlertField.SUMMARY, operator=Operator.REGEX, value=f"(?i)disk {i}|oom-{i}")
            ]
        else:
            conditions = [
                Condition(label="team", operator=Operator.EQUALS, value=rng.choice(TEAMS)),
                Condition(label="region", operator=Operator.IN, values=tuple(rng.sample(REGIONS, 2))),
            ]
        if rng.random() < 0.5:
            conditions.append(Condition(label="canary", operator=Operator.EXISTS, negate=True))
        out.append(Rule(name=f"rule-{i}", conditions=tuple(conditions), service=rng.choice(SERVICES)))
    return out


def alerts(count: int, seed: int = 5) -> list[Alert]:
    rng = random.Random(seed)
    now = datetime(2026, 11, 27, tzinfo=UTC)
    return [
        Alert(
            id=f"a{i}",
            action=AlertAction.TRIGGER,
            dedup_key=f"k{i}",
            service="platform",
            integration="bench",
            source_kind="grafana",
            received_at=now,
            summary=f"High latency on host-{rng.randrange(500)}",
            severity=rng.choice(list(Severity)),
            labels={"team": f"team-{rng.randrange(80)}", "region": rng.choice(REGIONS), "env": "prod"},
        )
        for i in range(count)
    ]


def run(count: int = 5000) -> dict[str, object]:
    began = time.perf_counter_ns()
    compiled = compile_rules(rules())
    compile_ms = (time.perf_counter_ns() - began) / 1e6
    timings = []
    matched = 0
    for alert in alerts(count):
        began = time.perf_counter_ns()
        decision = decide(compiled, alert)
        timings.append(time.perf_counter_ns() - began)
        matched += decision.rule is not None
    return {
        "rules": RULES,
        "alerts": count,
        "decision_median_us": round(statistics.median(timings) / 1e3, 1),
        "decision_p99_us": round(statistics.quantiles(timings, n=100)[-1] / 1e3, 1),
        "compile_ms": round(compile_ms, 1),
        "matched_share": round(matched / count, 2),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
