"""newsagg's own signals."""

from __future__ import annotations

# sent with (url: str, reason: str, found: dict) when a page yields no article but should have
page_rejected = object()
