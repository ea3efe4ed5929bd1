"""Paths and settings shared by every stage; read from the environment when called, never at import."""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = ROOT / "sql"
DATA_DIR = ROOT / "data"

SYSTEMS = ("deposit", "card", "loan", "fx")
DEMO_PII_KEY = "demo-only-key-not-for-production"


def sql_text(name: str) -> str:
    """Text of `sql/<name>.sql`; statements use `$param` placeholders bound by the caller."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def landing_dir() -> Path:
    return Path(os.environ.get("CRM_LANDING_DIR", DATA_DIR / "landing"))


def truth_dir() -> Path:
    return Path(os.environ.get("CRM_TRUTH_DIR", DATA_DIR / "truth"))


def warehouse_path() -> Path:
    """The published file analysts open read-only."""
    return checked_warehouse(Path(os.environ.get("CRM_WAREHOUSE", DATA_DIR / "warehouse" / "bank.duckdb")))


def checked_warehouse(path: Path) -> Path:
    # DuckDB names the catalog after the file: a file called crm.duckdb makes every `crm.x` ambiguous.
    if path.stem.split(".")[0].lower() == "crm":
        raise ValueError(f"warehouse file {path}: a file named crm.* clashes with schema crm; choose another name")
    return path


def work_path(published: Path | None = None) -> Path:
    """The job's private working file beside the published one."""
    published = published or warehouse_path()
    return published.with_name(published.stem + ".work.duckdb")


def duckdb_config() -> dict[str, str]:
    """Settings for the job's DuckDB connection: `CRM_DUCKDB_MEMORY_LIMIT` (e.g. `6GB`) if set, else
    `memory_budget()`. Past the limit DuckDB spills to disk beside the work file."""
    limit = os.environ.get("CRM_DUCKDB_MEMORY_LIMIT", "").strip()
    return {"memory_limit": limit or f"{memory_budget() // 2**20}MiB"}


def memory_budget() -> int:
    """Bytes for DuckDB's buffer: 2 GB per thread, at most half the memory this process may use.

    DuckDB's default (80% of RAM) leaves nothing for what it allocates outside its buffer manager nor
    for the model fits in Python; its guides advise 1-4 GB per thread and 50-60% of RAM against
    out-of-memory kills. The machine's memory is the cgroup limit where one is set (containers)."""
    threads = len(os.sched_getaffinity(0))
    return max(2**30, min(2 * 2**30 * threads, _machine_memory() // 2))


def _machine_memory() -> int:
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        cgroup = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return physical
    return min(physical, int(cgroup)) if cgroup.isdigit() else physical


def reports_dir() -> Path:
    return Path(os.environ.get("CRM_REPORTS_DIR", DATA_DIR / "reports"))


def identity_overrides_path() -> Path:
    """Reviewed identity decisions (link / unlink) the matcher applies."""
    return Path(os.environ.get("CRM_IDENTITY_OVERRIDES", DATA_DIR / "identity_overrides.csv"))


def gx_dir(work_file: Path) -> Path:
    """Where great-expectations keeps its context and data docs: CRM_GX_DIR, else data/gx beside the
    warehouse folder."""
    given = os.environ.get("CRM_GX_DIR")
    return Path(given) if given else Path(work_file).parent.parent / "gx"


class MissingPiiKey(RuntimeError):
    pass


def pii_key() -> bytes:
    """HMAC key for hashing ID and phone numbers; never stored in the repository."""
    key = os.environ.get("CRM_PII_KEY")
    if key:
        return key.encode()
    if os.environ.get("CRM_DEMO") == "1":
        return DEMO_PII_KEY.encode()
    raise MissingPiiKey(
        "CRM_PII_KEY is not set: set it to the bank's hashing key (or CRM_DEMO=1 to use the demo key on synthetic data)"
    )


def bounds_file() -> Path | None:
    """JSON file overriding plausible ranges of money and rate fields (quality/bounds.py), if any."""
    given = os.environ.get("CRM_BOUNDS_FILE")
    return Path(given) if given else None


def identity_engine() -> str:
    """Where identity resolution scores record pairs: duckdb or spark."""
    return os.environ.get("CRM_IDENTITY_ENGINE") or "duckdb"


def spark_master() -> str:
    return os.environ.get("CRM_SPARK_MASTER") or "local[2]"


def spark_shuffle_partitions() -> int:
    return int(os.environ.get("CRM_SPARK_SHUFFLE_PARTITIONS") or 8)


def spark_exchange_dir() -> Path | None:
    given = os.environ.get("CRM_SPARK_EXCHANGE_DIR")
    return Path(given) if given else None


def spark_conf() -> dict:
    return json.loads(os.environ.get("CRM_SPARK_CONF") or "{}")
