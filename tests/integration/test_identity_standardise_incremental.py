"""A daily night standardises only the party records delivered new or changed, and its `identity.party_std`
equals a full restandardisation of that night (so matching, which reads only party_std, sees the same)."""

from __future__ import annotations

import duckdb
import pytest

from models.identity.standardise import standardise_into
from models.ingest.landing import complete_dates
from models.ingest.load import ingest_delivery

pytestmark = pytest.mark.slow  # ingests a generated bank: `-m "not slow"` skips it locally

# Every column but std_on (the night a row was last standardised, which is the point of the exercise).
COMPARED = "* exclude (std_on)"


def _changed_since(con) -> int:
    """Records new or with any field but last_seen different from the copy taken before tonight."""
    return con.sql(
        "select count(*) from (select * exclude (last_seen) from staging.party "
        "except select * exclude (last_seen) from before_tonight)"
    ).fetchall()[0][0]


def _edit_like_a_delivery(con, night: int) -> None:
    """Changes a daily delivery can bring, made certain (a few hundred persons may change nothing):
    an address, a name, a golden-only field (employer)."""
    for column, value, pick in (
        ("address", "address || '1'", "address is not null"),
        ("name", "name || '伟'", "name is not null"),
        ("employer", "coalesce(employer, '') || 'x'", "true"),
    ):
        con.execute(
            f"update staging.party set {column} = {value} where system || ':' || source_key in "
            f"(select system || ':' || source_key from staging.party where {pick} "
            f"order by hash(source_key, {night}, '{column}') limit 2)"
        )


def test_daily_standardisation_reads_only_changed_records_and_equals_a_full_one(small_bank, tmp_path):
    landing = small_bank["landing"]
    con = duckdb.connect(str(tmp_path / "std.duckdb"))
    try:
        dates = complete_dates(landing)
        for night, day in enumerate(dates):
            if night:
                con.execute("create or replace temp table before_tonight as select * from staging.party")
            for system in ("deposit", "card", "loan", "fx"):
                ingest_delivery(con, landing, system, day, scratch_dir=tmp_path / "tmp", only_targets={"party"})
            if night == 0:
                first = standardise_into(con, day)
                assert first["records_read"] == first["records"] > 0
                continue
            _edit_like_a_delivery(con, night)
            changed = _changed_since(con)
            counts = standardise_into(con, day)
            # Most records came again unchanged: only the new and changed ones are read and standardised.
            assert not counts["full"]
            assert 6 <= changed < counts["records"] // 10
            assert counts["records_read"] == changed == counts["records_standardised_tonight"]

            con.execute(f"create or replace temp table incremental as select {COMPARED} from identity.party_std")
            con.execute("create or replace temp table kept as select * from identity.party_std")
            again = standardise_into(con, day, full=True)
            assert again["records_read"] == counts["records"]
            diff = con.sql(
                f"select count(*) from ((select {COMPARED} from identity.party_std except all select * from incremental) "
                f"union all (select * from incremental except all select {COMPARED} from identity.party_std))"
            ).fetchall()[0][0]
            assert diff == 0
            # The next night continues from the incremental table, not from the full one.
            con.execute("delete from identity.party_std")
            con.execute("insert into identity.party_std select * from kept")
    finally:
        con.close()
