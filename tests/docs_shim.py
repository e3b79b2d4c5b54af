"""The `.venv/bin/*` that the docs' commands call, inside tests/test_docs.py's sandbox.

`python -m tests.docs_shim TOOL ARGS...` runs TOOL (`scrapy`, `python`, `ruff`) for real, with
what a sandbox on 127.0.0.1 needs: a crawl of a real site is pointed at that site's local
mirror (the network fixtures, served by the test; `NEWSAGG_DOCS_MIRRORS` maps site -> base
URL), keeps its state in the sandbox and judges rates from more articles than a fixture site
has; addresses of the docs' examples (`127.0.0.1:8000`, `/srv/newsagg`, `/var/log/newsagg`)
are the sandbox's. Commands that cannot run inside the suite say so and exit 0: the suite
itself, the benchmarks (their module and options are checked), rebuilding the committed
sample archive."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SANDBOX = Path(os.environ.get("NEWSAGG_DOCS_SANDBOX", "."))


def main(tool: str, args: list[str]) -> int:
    if tool == "python":
        return python(args)
    if tool == "scrapy":
        return run([sys.executable, "-m", "scrapy", *scrapy_args(args)])
    return run([str(Path(sys.executable).with_name(tool)), *args])


def python(args: list[str]) -> int:
    module = args[1] if len(args) > 1 and args[0] == "-m" else ""
    if module == "pytest":
        print("docs check: the suite is not run from its own docs")
        return 0
    if module == "newsagg.sample.build":
        print("docs check: not rebuilding the committed sample archive")
        return 0
    if module.startswith("benchmarks."):
        return benchmark(module, args[2:])
    return run([sys.executable, *args])


def benchmark(module: str, options: list[str]) -> int:
    """A benchmark takes minutes: only that it exists and takes these options."""
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=False
    )
    missing = [o for o in options if o.startswith("--") and o.split("=")[0] not in done.stdout]
    if done.returncode != 0 or missing:
        print(f"docs check: {module} --help failed or lacks {missing}: {done.stderr}")
        return 1
    print(f"docs check: {module} takes {' '.join(options) or 'no options'}; not run")
    return 0


def scrapy_args(args: list[str]) -> list[str]:
    args = [localize(arg) for arg in args]
    if args[:2] != ["crawl", "aggregator"]:
        return args
    named = dict(arg.split("=", 1) for arg in args if "=" in arg)
    if not any(key in named for key in ("replay", "base_url", "start_urls")):
        mirrors = json.loads(os.environ["NEWSAGG_DOCS_MIRRORS"])
        site = named.get("site", "")
        if site in mirrors:
            args += ["-a", f"base_url={mirrors[site]}"]
    if "NEWSAGG_STATE" not in named and "replay" not in named:
        args += ["-s", f"NEWSAGG_STATE={SANDBOX / 'state.sqlite3'}"]
    return [*args, "-s", "NEWSAGG_HEALTH_MIN_SAMPLE=100"]


def localize(arg: str) -> str:
    """The docs' example addresses, in the sandbox."""
    mirror = json.loads(os.environ.get("NEWSAGG_DOCS_MIRRORS", "{}")).get("maghress", "")
    arg = arg.replace("http://127.0.0.1:8000", mirror)
    for root in ("/srv/newsagg", "/var/log/newsagg", "/var/lib/newsagg"):
        arg = arg.replace(root, str(SANDBOX / root.strip("/")))
    return arg


def run(command: list[str]) -> int:
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
