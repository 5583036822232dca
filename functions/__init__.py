"""Lambda entry points: parse the request or event, call one service, map the result."""
