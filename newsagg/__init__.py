"""newsagg: *ress news-aggregator sites to JSON Lines (a Scrapy project)."""

__version__ = "0.1.0"  # the one place the version is written; pyproject.toml reads it
