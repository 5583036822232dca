"""Use cases of access: API tokens (create, list, revoke, authenticate) and the audit log."""
