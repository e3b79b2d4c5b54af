"""A real redis-server for the Redis backend's tests: one per test, on a free port of
127.0.0.1, persisting to an append-only file under tmp_path (so a stopped server can be
started again with what it held). Skips, saying why, only where redis-server is not installed
(`.ci/run` installs the Debian package)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

BINARY = shutil.which("redis-server") or "/usr/bin/redis-server"


@dataclass
class RedisServer:
    directory: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def start(self) -> None:
        """Start (or start again, on the same port and files) and wait until it answers."""
        if not self.port:
            self.port = free_port()
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [BINARY, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "yes", "--appendfsync", "always"]
        command += ["--dir", str(self.directory), "--daemonize", "no", "--loglevel", "warning"]
        log = self.directory / "redis.log"
        with log.open("ab") as output:  # the server keeps its own copy of the descriptor
            self.process = subprocess.Popen(command, stdout=output, stderr=output)
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start: see {log}") from None
                time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM: the server writes what it holds and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not Path(BINARY).is_file():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()
