"""Ingest the sample-data generator's output."""

from __future__ import annotations

import duckdb
import pytest

from crm import generator
from models.ingest.landing import complete_dates
from models.ingest.layout import FILES
from models.ingest.load import ingest_delivery

pytestmark = pytest.mark.slow  # builds and runs whole banks: `-m "not slow"` skips it locally


def test_generated_deliveries_ingest_and_conserve_rows(tmp_path):
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    generator.generate(landing, truth, customers=200, seed=5, daily_deliveries=2)
    dates = complete_dates(landing)
    assert len(dates) == 3
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        for d in dates:
            for system in FILES:
                rep = ingest_delivery(con, landing, system, d)
                assert rep.rows_read == rep.rows_staged + rep.rows_quarantined
                # planted malformed rows exist but are a small minority
                assert rep.rows_quarantined <= 0.1 * max(rep.rows_read, 1)
        log = con.execute(
            "select count(*), sum(rows_control), sum(rows_staged + rows_quarantined) from ingest.delivery_log"
        ).fetchall()[0]
        assert log[0] == 11 * len(dates) and log[1] == log[2]
        assert con.execute("select count(distinct system) from staging.party").fetchall()[0][0] == 4
        # the ID forms pass through: some 15-digit and lower-case x IDs reach staging unchanged
        ids = [r[0] for r in con.execute("select id_no from staging.party where id_type = 'RESIDENT'").fetchall()]
        assert ids and all(i is None or i == i.strip() for i in ids)
    finally:
        con.close()
