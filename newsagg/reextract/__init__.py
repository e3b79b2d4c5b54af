"""Re-extraction: a run's articles made again from its WARC archive, without fetching
(`scrapy newsagg-reextract`, docs/archive.md)."""
