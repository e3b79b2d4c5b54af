"""With JOBDIR: the job directory is marked `running` as the spider opens (newsagg.jobdir);
the publish step marks it paused or finished once the run is published."""

from __future__ import annotations

from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsagg.jobdir import RUNNING, JobDir
from newsagg.run import run_context


class JobDirMarker:
    def __init__(self, jobdir: JobDir, run_id: str) -> None:
        self.jobdir = jobdir
        self.run_id = run_id

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        context = run_context(crawler)
        if context.jobdir is None:
            raise NotConfigured("no JOBDIR")
        extension = cls(context.jobdir, context.run.id)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        self.jobdir.mark(RUNNING, self.run_id)
