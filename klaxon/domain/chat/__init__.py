"""The incident's chat room (a Slack channel): its name, its record, and the messages Klaxon keeps in it."""
