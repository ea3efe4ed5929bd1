"""Every module of models/, assets/, pipelines/, quality/ and crm/ imports on its own: an import cycle fails
whichever module of the cycle is imported first, so each is imported first once, in a fresh module table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("models", "assets", "pipelines", "quality", "crm")

# One interpreter (third-party imports are paid once); our own modules are forgotten before each import.
PROBE = """
import importlib, sys, traceback
ours = {ours!r}
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ours]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def _modules() -> list[str]:
    out = []
    for package in OURS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def test_every_module_imports_first_without_a_cycle():
    modules = _modules()
    assert "models.churn.model" in modules and "models.identity.resolve" in modules
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(ours=OURS), *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "CRM_DEMO": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
