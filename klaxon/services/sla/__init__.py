"""SLA budgets' use cases (docs/sla.md)."""
