"""No full resident ID or mobile number in any git-tracked file (project rule; test data is built at run time)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


from tests.pii_patterns import BLOB

ROOT = Path(__file__).resolve().parents[2]
# IDs, mobiles in any spelling and grouped card numbers standing alone (tests/pii_patterns.py BLOB).
# Masked forms such as 110***********1234 do not match.
PATTERN = BLOB


def tracked_files() -> list[Path]:
    # The files the repository holds are git's list: a copy without git cannot be checked, and says so.
    assert shutil.which("git") is not None and (ROOT / ".git").exists(), "needs git and a git checkout"
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_id_or_mobile_numbers_in_tracked_files():
    hits = []
    for path in tracked_files():
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):  # deleted in the worktree, or binary / other encodings
            continue
        if "\0" in text:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            if m := PATTERN.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{lineno}: {m.group()}")
    assert not hits, (
        "ID- or phone-shaped numbers in tracked files (build them with tests/synthetic_ids.py):\n" + "\n".join(hits)
    )
