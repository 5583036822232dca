"""In-memory implementations of klaxon.ports, for unit tests of services."""
