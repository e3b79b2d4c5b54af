"""newsagg's own signals."""

from __future__ import annotations

# sent with (url: str, reason: str, found: dict) when a page yields no article but should have
page_rejected = object()

# sent with (verdict: newsagg.health.Verdict) once the end-of-run health check has judged the run
run_checked = object()
