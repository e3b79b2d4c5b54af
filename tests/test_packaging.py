"""The package runs from a zip, as scrapyd runs a deployed egg: profiles and sample included."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO

FROM_ZIP = """
import sys
# Drop the editable install's finder so that only the zip can provide newsagg.
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
sys.path.insert(0, sys.argv[1])
import newsagg
from newsagg.middlewares.replay import ReplayArchive
from newsagg.spiders.arguments import parse_arguments
from newsagg.sites.profiles import known_sites
arguments = parse_arguments({"site": "maghress", "replay": "sample"})
print(newsagg.__file__, len(known_sites()), len(ReplayArchive.load(arguments.replay)))
"""


def test_sites_and_sample_load_from_a_zipped_package(tmp_path: Path) -> None:
    egg = tmp_path / "newsagg.zip"
    with zipfile.ZipFile(egg, "w") as archive:
        for path in (REPO / "newsagg").rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(REPO).as_posix())
    done = subprocess.run(
        [sys.executable, "-c", FROM_ZIP, str(egg)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"{egg}/newsagg/__init__.py", "7", "9"]


def test_every_package_directory_has_an_init_for_find_packages() -> None:
    """scrapyd-deploy's generated setup.py uses find_packages(), which skips directories
    without __init__.py (newsagg.sites was one: the deployed egg could not import it)."""
    missing = [
        str(d.relative_to(REPO))
        for d in (REPO / "newsagg").rglob("*")
        if d.is_dir() and any(d.glob("*.py")) and not (d / "__init__.py").exists()
    ]
    assert missing == []
