"""Use cases of the incident chat room (issue 15): opening it, keeping its summary current, archiving."""
