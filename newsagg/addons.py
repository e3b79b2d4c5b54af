"""Scrapy add-ons: settings derived from other settings, once every source of settings is in."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.settings import Settings

from newsagg import __version__


class ContactUserAgent:
    """USER_AGENT = `newsagg/<version> (+<NEWSAGG_CONTACT_URL>)`, so `-s NEWSAGG_CONTACT_URL=...`
    reaches the sites; a USER_AGENT set explicitly (settings.py, -s) still wins."""

    def update_settings(self, settings: Settings) -> None:
        contact = str(settings.get("NEWSAGG_CONTACT_URL") or "")
        if urlsplit(contact).scheme not in ("http", "https", "mailto"):
            raise ValueError(
                f"NEWSAGG_CONTACT_URL: expected an http(s) or mailto: URL, got {contact!r}"
            )
        settings.set("USER_AGENT", f"newsagg/{__version__} (+{contact})", priority="addon")
