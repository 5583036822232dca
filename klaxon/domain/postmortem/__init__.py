"""Post-mortems (issue 16): the draft written from an incident's timeline, and the rules of working on it."""
