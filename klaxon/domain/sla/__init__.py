"""SLA budgets (docs/sla.md): weighted, merged downtime of components within a window, against a target."""
