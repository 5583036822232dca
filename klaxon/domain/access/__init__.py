"""Who may call the API: roles, API tokens and their lifetimes, and the audit record of each change."""
