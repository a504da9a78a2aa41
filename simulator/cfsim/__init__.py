"""cfsim: a local simulator of the Cloudflare addressing (BYOIP) API."""

__version__ = "0.1.0"
