"""Reading newsagg's stats, named `newsagg/<area>/<event>[/<reason>]`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def stats_under(stats: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The stats whose key starts with `prefix`, keyed by the rest, sorted:
    `stats_under(stats, "newsagg/rejected/")` -> `{"http_404": 1, "missing_title": 2}`."""
    return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}
