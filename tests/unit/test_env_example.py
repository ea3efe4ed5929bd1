"""`.env.example` lists every CRM_* setting the code reads, and nothing it does not."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting():
    code = set()
    for folder in ("crm", "models", "assets", "pipelines", "quality"):
        for path in (ROOT / folder).rglob("*.py"):
            code |= set(re.findall(r"\b(CRM_[A-Z_]+)\b", path.read_text(encoding="utf-8")))
    listed = set(re.findall(r"^(CRM_[A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), flags=re.M))
    assert listed == code


def test_only_settings_reads_the_environment():
    """Assets, checks, resources and models take their settings from models/settings.py (read when called,
    at run time); none reads os.environ itself, so every setting has one default and one reader."""
    readers = []
    for folder in ("models", "assets", "pipelines", "quality"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path != ROOT / "models" / "settings.py" and re.search(r"environ(\.get)?\(\s*\"CRM_|getenv\(", text):
                readers.append(path.relative_to(ROOT).as_posix())
    assert readers == []
