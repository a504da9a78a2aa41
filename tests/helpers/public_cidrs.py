"""Public-looking IPv4 /24s for tests and benchmarks that need more prefixes than the documentation ranges hold.

The documentation ranges have only three /24s, and the rest of the usual test space (10.0.0.0/8, 198.18.0.0/15)
can never be a BYOIP prefix (plugins/module_utils/_address_space.py), so cfsim and the modules refuse it.
45.0.0.0/16 and up is ordinary unicast space outside that list; standard library only.
"""

FIRST_OCTET = 45


def public_slash24(index):
    """The index-th /24 of 45.0.0.0/8: 0 -> 45.0.0.0/24, 256 -> 45.1.0.0/24 (65,536 of them)."""
    if not 0 <= index < 1 << 16:
        raise ValueError("index must be between 0 and 65535, got %r" % (index,))
    return "%d.%d.%d.0/24" % (FIRST_OCTET, index >> 8, index & 0xFF)
