"""Post-mortem use cases (issue 16): drafts written when significant incidents resolve; working on them."""
