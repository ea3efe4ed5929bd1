"""One `crm run` per warehouse at a time: an advisory lock the kernel drops when the process dies,
so a killed run never leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class RunLocked(RuntimeError):
    pass


@contextmanager
def run_lock(work_file: Path) -> Iterator[None]:
    path = Path(str(work_file) + ".runlock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown pid"
            raise RunLocked(
                f"another crm run ({holder}) is running on {work_file}; wait for it to finish, then rerun"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        yield
    finally:
        fh.close()
