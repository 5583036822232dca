"""Pure rules of incident response: stdlib and pydantic only, time is always an argument."""
