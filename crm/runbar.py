"""A terminal progress bar over the steps of one Dagster run (`crm run`)."""

from __future__ import annotations

import threading


class RunBar:
    """A progress bar over the steps of one Dagster run on a terminal, fed from the instance's event log
    (the run itself executes in this thread): steps done out of the job's steps, and the step running."""

    def __init__(self, instance, run_id: str, total: int, desc: str, every: float = 0.5):
        self.instance, self.run_id, self.total, self.desc, self.every = instance, run_id, total, desc, every
        self._stop = threading.Event()

    def _update(self) -> None:
        from dagster import DagsterEventType

        ended = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_SKIPPED}
        try:
            records = self.instance.get_records_for_run(
                self.run_id, of_type=ended | {DagsterEventType.STEP_START}
            ).records
        except Exception:  # noqa: BLE001 - the run has not created its storage yet; the next poll will see it
            return
        done, running = set(), None
        for r in records:
            entry = r.event_log_entry
            if entry.dagster_event_type == DagsterEventType.STEP_START:
                running = entry.step_key
            else:
                done.add(entry.step_key)
        self.bar.n = min(len(done), self.total)
        self.bar.set_postfix_str("" if len(done) >= self.total else running or "", refresh=False)
        self.bar.refresh()

    def _poll(self) -> None:
        while not self._stop.wait(self.every):
            self._update()

    def __enter__(self) -> RunBar:
        import sys

        from tqdm import tqdm

        self.bar = tqdm(total=self.total, desc=self.desc, unit="step", file=sys.stdout, leave=True)
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._update()  # the last steps ended after the last poll
        self.bar.close()
