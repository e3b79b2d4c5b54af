"""Exceptions that carry a short, stable reason, so every loss is counted by name."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem, IgnoreRequest


class StartError(ValueError):
    """The run cannot start: its message is the one line the crawl command prints (exit 2)."""


class ConfigError(StartError):
    """A `NEWSAGG_*` setting is unknown or has a wrong value; the message names it."""


class ProfileError(ValueError):
    """A site profile file is missing or invalid; the message is one line naming file and key."""


class ArgumentError(StartError):
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


class RequestRefused(IgnoreRequest):
    """A request the crawl will not make or finish; `reason` is the reject's stable name."""

    reason = "ignored"


class RedirectLoop(RequestRefused):
    reason = "redirect_loop"


class RobotsForbidden(RequestRefused):
    reason = "robots_forbidden"


class OffsiteRedirect(RequestRefused):
    """A redirect to a host outside the crawl's: never followed, so no page can make the
    crawler request an address of its choosing (internal ones included)."""

    reason = "offsite_redirect"


class NotArchived(RequestRefused):
    """In a replay, a request the archive has no response for: never fetched from the network."""

    reason = "not_archived"
