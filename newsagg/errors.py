"""Exceptions that carry a short, stable reason, so every loss is counted by name."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem


class ProfileError(ValueError):
    """A site profile file is missing or invalid; the message is one line naming file and key."""


class ArgumentError(ValueError):
    """A spider argument is invalid; the message names the argument and what was expected."""


class StateError(RuntimeError):
    """The state store cannot be opened or used; the message names its location."""


class ArticleDropped(DropItem):
    """An article that must not reach the dataset; `reason` names why (`missing_title`...)."""

    def __init__(self, reason: str, url: str, found: dict[str, Any] | None = None) -> None:
        super().__init__(f"{reason}: {url}")
        self.reason = reason
        self.url = url
        self.found = found or {}
