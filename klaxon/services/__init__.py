"""Use cases: each takes its ports in the constructor and knows nothing of AWS."""
