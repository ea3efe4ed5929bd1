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
