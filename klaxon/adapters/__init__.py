"""AWS-facing implementations of the ports in klaxon.ports."""
