"""Comparing secrets and signatures in constant time, whatever characters an attacker sends.

`hmac.compare_digest` raises TypeError for a str holding non-ASCII characters, which a signature
header, a token in a link or a feed URL can hold: compared as UTF-8 bytes instead, such a value is
simply unequal.
"""

from __future__ import annotations

import hmac


def same(expected: str, given: str) -> bool:
    """True when `given` is `expected`, in time that does not depend on where they differ."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))
