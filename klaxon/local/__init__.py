"""The embedded runtime behind `klaxon up`: the real handlers over an in-process AWS emulation."""
