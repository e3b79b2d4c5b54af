"""The one UTC timestamp format of records, manifests, rejects and the state."""

from __future__ import annotations

from datetime import UTC, datetime

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # "2026-11-26T09:45:27Z"


def utc_stamp(moment: datetime | None = None) -> str:
    """`moment` (default: now) in UTC, to the second."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime(STAMP_FORMAT)
