"""Every command of README.md and docs/*.md runs, so the manual cannot rot.

Each fenced block of shell commands (```bash, ```console, ```cron, or a plain block whose lines
start with `$ `) is run, in order, in a sandbox: a directory that links the repository's files,
where `.venv/bin/*` are tests/docs_shim.py (the real tools, crawls of real sites pointed at the
local mirrors of tests/fixtures/network/). A block must exit 0, or the code an
`<!-- docs-check: exit N -->` line before it names; an output line `newsagg: …` shown after a
`$ command` must be printed by it (and one shown printing `newsagg: error: …` must exit 2).
A block that cannot run here says why in a `<!-- docs-check: skip: REASON -->` line before
it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, LocalSite, serving
from tests.test_network import serve

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SHELL = ("bash", "sh", "console", "cron")
LINKED = (
    *("newsagg", "tests", "benchmarks", "deploy", "docs"),
    *("scrapy.cfg", "pyproject.toml", ".git"),
)
_FENCE = re.compile(r"^```(\S*)\s*$")
_CHECK = re.compile(r"^<!-- docs-check: (.+?) -->$")
_CRON = re.compile(r"^(?:\S+\s+){5}(.+)$")
# Commands that change the machine (packages, services, the crontab): a block that holds one
# must say why it is not run here, and is never run by mistake.
_SYSTEM = re.compile(
    r"(?m)^\s*(?:sudo|apt-get|apt|systemctl|crontab|redis-server|journalctl|pip install)\b"
    r"|\.venv/bin/pip install"
)


@dataclass(frozen=True)
class Block:
    file: str
    line: int
    language: str
    text: str
    check: str  # "" or the docs-check annotation


def shell_blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        body = "\n".join(lines[index + 1 : end])
        language = fence.group(1)
        before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        check = _CHECK.match(before)
        console = not language and any(line.startswith("$ ") for line in body.splitlines())
        if language in SHELL or console:
            name = str(path.relative_to(REPO))
            note = check.group(1) if check else ""
            found.append(Block(name, index + 1, language or "console", body, note))
        index = end + 1
    return found


BLOCKS = [block for path in DOCS for block in shell_blocks(path)]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """The sandbox directory and its environment, with a local mirror of every site."""
    root = tmp_path_factory.mktemp("docs")
    for name in LINKED:
        (root / name).symlink_to(REPO / name)
    (root / "scripts").mkdir()
    (root / "scripts" / "setup.sh").write_text(  # the suite's venv is the one installed
        "#!/usr/bin/env bash\nset -e\ntest -x .venv/bin/python\n", encoding="utf-8"
    )
    binaries = root / ".venv" / "bin"
    binaries.mkdir(parents=True)
    for tool in ("python", "scrapy", "ruff"):
        wrapper = binaries / tool
        wrapper.write_text(
            f'#!/usr/bin/env bash\nexec "{sys.executable}" "{REPO / "tests" / "docs_shim.py"}"'
            f' {tool} "$@"\n',
            encoding="utf-8",
        )
        wrapper.chmod(0o755)
    for directory in ("var/log/newsagg", "srv/newsagg"):
        (root / directory).mkdir(parents=True)
    with ExitStack() as stack:
        mirrors = {}
        for site_dir in sorted((FIXTURES / "network").iterdir()):
            if site_dir.is_dir():
                site = stack.enter_context(serving(LocalSite()))
                serve(site, site_dir)
                mirrors[site_dir.name] = site.base_url
        env = {
            **os.environ,
            "PATH": f"{binaries}{os.pathsep}{os.environ['PATH']}",
            "NEWSAGG_DOCS_SANDBOX": str(root),
            "NEWSAGG_DOCS_MIRRORS": json.dumps(mirrors),
        }
        env.pop("PYTHONPATH", None)
        yield root, env


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{b.file}:{b.line}" for b in BLOCKS])
def test_every_command_block_runs_or_says_why_it_cannot(
    block: Block, sandbox: tuple[Path, dict[str, str]]
) -> None:
    root, env = sandbox
    if not block.check.startswith("skip"):
        assert not _SYSTEM.search(block.text), (
            f"{block.file}:{block.line}: changes the machine; say why it is not run here"
        )
    if block.check.startswith("skip"):
        reason = block.check.removeprefix("skip").strip(": ")
        assert len(reason) > 10, f"{block.file}:{block.line}: say why the block cannot run"
        return
    expected = int(block.check.removeprefix("exit ")) if block.check.startswith("exit") else 0
    for command, shown in commands(block):
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command.replace("cd /opt/newsagg", f"cd {root}")],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        output = (done.stdout + done.stderr).splitlines()
        where = f"{block.file}:{block.line}: {command}"
        refused = any(line.startswith("newsagg: error: ") for line in shown)  # a refused start
        wanted = 2 if refused and not block.check else expected
        assert done.returncode == wanted, f"{where}\n" + "\n".join(output[-40:])
        for line in shown:
            assert line in output, f"{where}: the docs show {line!r}"


def commands(block: Block) -> Iterator[tuple[str, list[str]]]:
    """(command, the `newsagg:` lines the docs show it printing) of a block."""
    if block.language == "console":
        lines = block.text.splitlines()
        for index, line in enumerate(lines):
            if line.startswith("$ "):
                after = []
                for following in lines[index + 1 :]:
                    if following.startswith("$ "):
                        break
                    after.append(following)
                yield line[2:], [text for text in after if text.startswith("newsagg: ")]
        return
    if block.language == "cron":
        for line in block.text.splitlines():
            if (match := _CRON.match(line)) and not line.startswith(("#", "MAILTO")):
                yield match.group(1), []
        return
    yield block.text, []


def test_the_docs_have_commands_to_check() -> None:
    files = {block.file for block in BLOCKS}
    assert {"README.md", "docs/operations.md", "docs/settings.md"} <= files
