"""Klaxon's AWS infrastructure as CDK stacks and constructs."""
