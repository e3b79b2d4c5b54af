"""Downloader middlewares: retries with backoff, replay, redirects kept on the crawl's hosts."""
