"""Schedule use cases: on-call, overrides, calendar feeds, on-call load reports."""
