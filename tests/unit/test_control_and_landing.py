"""Hostile control files and landing folders: every one ends in a named DeliveryError or a named
notice under a documented rule, never a traceback, and never blocks good dates forever."""

from __future__ import annotations

import json
import string
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm.nightly import classify
from models.ingest.control import DeliveryError, delivery_notices, read_control
from models.ingest.landing import scan_landing
from models.ingest.layout import SYSTEMS
from tests.integration.ingest_fixtures import sample_files, write_delivery

DAY = date(2026, 11, 20)
LATER = date(2026, 11, 21)


def _control(d: Path) -> dict:
    return json.loads((d / "_CONTROL.json").read_text())


def _write(d: Path, control) -> None:
    (d / "_CONTROL.json").write_text(json.dumps(control))


# --- declared encodings ------------------------------------------------------------------------


@pytest.mark.parametrize("declared", ["latin-1", "gbk", "utf-8", "cp1252"])
def test_a_declared_encoding_other_than_the_contracts_is_a_broken_delivery(tmp_path, declared):
    d = write_delivery(tmp_path, "deposit", DAY, sample_files("deposit", DAY))
    control = _control(d)
    control["encoding"] = declared
    _write(d, control)
    with pytest.raises(
        DeliveryError, match=rf"deposit 20261120: _CONTROL.json declares encoding '{declared}'.*gb18030"
    ):
        read_control(d)


@pytest.mark.parametrize(
    "system,declared",
    [("deposit", "GB18030"), ("deposit", "gb18030-2000"), ("card", "UTF8"), ("card", "utf-8-sig"), ("fx", "utf_8")],
)
def test_spellings_of_the_contract_encoding_are_accepted(tmp_path, system, declared):
    d = write_delivery(tmp_path, system, DAY, sample_files(system, DAY))
    control = _control(d)
    control["encoding"] = declared
    _write(d, control)
    assert read_control(d)["files"]


def test_an_unknown_encoding_is_named(tmp_path):
    d = write_delivery(tmp_path, "card", DAY, sample_files("card", DAY))
    control = _control(d)
    control["encoding"] = "klingon-8"
    _write(d, control)
    with pytest.raises(DeliveryError, match="unknown encoding 'klingon-8'"):
        read_control(d)


# --- control entries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry,words",
    [
        ({"rows": 3}, ["card_txn.csv", "no 'sha256'"]),
        ({"sha256": "0" * 64}, ["card_txn.csv", "no 'rows'"]),
        ({}, ["card_txn.csv", "no 'rows'"]),
        (None, ["card_txn.csv", "not an object"]),
        ([1, 2], ["card_txn.csv", "not an object"]),
        ("abc", ["card_txn.csv", "not an object"]),
        ({"rows": "abc", "sha256": "0" * 64}, ["card_txn.csv", "'rows'", "whole number"]),
        ({"rows": "3", "sha256": "0" * 64}, ["card_txn.csv", "'rows'"]),
        ({"rows": -1, "sha256": "0" * 64}, ["card_txn.csv", "'rows'"]),
        ({"rows": 2.5, "sha256": "0" * 64}, ["card_txn.csv", "'rows'"]),
        ({"rows": True, "sha256": "0" * 64}, ["card_txn.csv", "'rows'"]),
        ({"rows": 3, "sha256": "xyz"}, ["card_txn.csv", "'sha256'", "64 hexadecimal"]),
        ({"rows": 3, "sha256": 12}, ["card_txn.csv", "'sha256'"]),
    ],
)
def test_every_listed_file_carries_a_well_formed_rows_and_sha256(tmp_path, entry, words):
    d = write_delivery(tmp_path, "card", DAY, sample_files("card", DAY))
    control = _control(d)
    control["files"]["card_txn.csv"] = entry
    _write(d, control)
    with pytest.raises(DeliveryError) as err:
        read_control(d)
    message = str(err.value)
    assert message.startswith("card 20261120 card_txn.csv"), message
    for w in words:
        assert w in message, message


def test_a_truncated_file_whose_entry_lacks_a_checksum_is_caught(tmp_path):
    d = write_delivery(tmp_path, "card", DAY, sample_files("card", DAY))
    control = _control(d)
    del control["files"]["card_txn.csv"]["sha256"]
    _write(d, control)
    f = d / "card_txn.csv"
    f.write_bytes(f.read_bytes()[:-20])
    with pytest.raises(DeliveryError, match="card_txn.csv"):
        read_control(d)


@pytest.mark.parametrize(
    "name", ["../deposit_customer.csv", "sub/x.csv", "..", "/etc/passwd", "a\\b.csv", "_CONTROL.json"]
)
def test_a_listed_name_outside_the_folder_is_a_broken_delivery(tmp_path, name):
    d = write_delivery(tmp_path, "fx", DAY, sample_files("fx", DAY))
    control = _control(d)
    control["files"][name] = {"rows": 0, "sha256": "0" * 64}
    _write(d, control)
    with pytest.raises(DeliveryError, match="not a file name inside the delivery folder"):
        read_control(d)


def test_files_listed_but_absent_stop_present_but_unlisted_are_named(tmp_path):
    d = write_delivery(tmp_path, "fx", DAY, sample_files("fx", DAY))
    (d / "fx_extra.csv").write_text("a\n1\n")
    assert read_control(d)  # an unlisted file is not part of the delivery
    assert delivery_notices(d) == ["fx 20261120 fx_extra.csv: present but not listed in _CONTROL.json; ignored"]
    control = _control(d)
    control["files"]["fx_later.csv"] = {"rows": 1, "sha256": "0" * 64}
    _write(d, control)
    with pytest.raises(DeliveryError, match="fx 20261120 fx_later.csv: listed in _CONTROL.json but missing"):
        read_control(d)


# --- landing folders ---------------------------------------------------------------------------


def _bank(landing: Path, days) -> None:
    for day in days:
        for system in SYSTEMS:
            write_delivery(landing, system, day, sample_files(system, day))


def test_folders_that_are_not_deliveries_are_named_and_ignored(tmp_path):
    _bank(tmp_path, [DAY])
    (tmp_path / "card" / "latest").mkdir()
    (tmp_path / "card" / "2026-11-21").mkdir()
    (tmp_path / "card" / "20261340").mkdir()
    (tmp_path / "card" / "README.txt").write_text("x")
    (tmp_path / "cards").mkdir()
    state = scan_landing(tmp_path)
    assert state.complete == [DAY] and state.pending == []
    text = "\n".join(state.notices)
    for name in ("card/latest", "card/2026-11-21", "card/20261340", "card/README.txt", "landing/cards"):
        assert name in text


def test_dates_outside_the_window_are_named_not_run(tmp_path):
    _bank(tmp_path, [date(2020, 1, 1), DAY, date(2030, 1, 1)])
    state = scan_landing(tmp_path, date(2024, 1, 1), LATER)
    assert state.complete == [DAY]
    text = "\n".join(state.notices)
    assert "card/20200101: dated before the first business date 2024-01-01" in text
    assert "card/20300101: dated after the latest business date 2026-11-21" in text


def test_an_abandoned_folder_never_holds_back_later_dates(tmp_path):
    _bank(tmp_path, [DAY, LATER])
    (tmp_path / "card" / "20261001").mkdir()  # empty, never completed; card has delivered since
    state = scan_landing(tmp_path)
    assert state.complete == [DAY, LATER] and state.pending == []
    assert any(n.startswith("20261001 skipped: card/20261001 has no _CONTROL.json") for n in state.notices)


def test_a_date_one_system_skipped_does_not_block_later_ones(tmp_path):
    _bank(tmp_path, [LATER])
    for system in ("deposit", "loan", "fx"):
        write_delivery(tmp_path, system, DAY, sample_files(system, DAY))
    state = scan_landing(tmp_path)
    assert state.complete == [LATER] and state.pending == []
    assert any("card/20261120 was never delivered while card has delivered 20261121" in n for n in state.notices)


def test_a_late_system_still_holds_back_later_dates(tmp_path):
    _bank(tmp_path, [DAY, LATER])
    (tmp_path / "loan" / "20261121" / "_CONTROL.json").unlink()
    state = scan_landing(tmp_path)
    assert state.complete == [DAY] and state.pending == [LATER]
    assert any("loan/20261121 has no _CONTROL.json yet" in n for n in state.notices)


# --- property: never a traceback -----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
entry_values = st.one_of(
    json_values,
    st.fixed_dictionaries({"rows": json_values, "sha256": json_values}),
    st.fixed_dictionaries(
        {"rows": st.integers(-2, 10), "sha256": st.text("0123456789abcdef", min_size=60, max_size=66)}
    ),
)


@st.composite
def controls(draw):
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=40))  # not even JSON
    base = {
        "system": "card",
        "business_date": "2026-11-20",
        "kind": "daily",
        "encoding": "utf-8",
        "files": {n: {"rows": 1, "sha256": "0" * 64} for n in ("card_holder.csv", "card_account.csv", "card_txn.csv")},
    }
    for key in draw(
        st.lists(st.sampled_from(["system", "business_date", "kind", "encoding", "files", "extra"]), max_size=3)
    ):
        base[key] = draw(json_values)
    if isinstance(base.get("files"), dict):
        for name in draw(
            st.lists(st.sampled_from(["card_holder.csv", "card_txn.csv", "x.csv", "../y.csv", ""]), max_size=3)
        ):
            base["files"][name] = draw(entry_values)
    return json.dumps(base) if draw(st.booleans()) else json.dumps(base)[: draw(st.integers(0, 200))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=controls())
def test_any_control_file_gives_a_named_error_or_passes(tmp_path_factory, text):
    landing = tmp_path_factory.mktemp("landing")
    d = write_delivery(landing, "card", DAY, sample_files("card", DAY))
    (d / "_CONTROL.json").write_text(text)
    try:
        read_control(d)
    except DeliveryError as e:
        assert str(e).startswith("card 20261120"), str(e)


folder_names = st.text(
    alphabet=string.ascii_letters + string.digits + "-_. 年月日\u00a0\u3000", min_size=1, max_size=12
).filter(lambda s: s not in (".", "..") and "/" not in s)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.tuples(st.sampled_from(SYSTEMS + ("misc",)), folder_names, st.booleans()), max_size=6))
def test_any_landing_folder_names_give_notices_never_a_traceback(tmp_path_factory, names):
    landing = tmp_path_factory.mktemp("landing")
    _bank(landing, [DAY])
    for system, name, as_file in names:
        path = landing / system / name
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x") if as_file else path.mkdir()
    state = scan_landing(landing, date(2024, 1, 1), LATER)
    assert state.complete == [DAY]  # a stray name never blocks a good date
    text = "\n".join(state.notices)
    # every stray name but hidden ones and date-shaped folders is reported
    reported = [(s, n) for s, n, _ in names if not n.startswith(".") and not (n.isdigit() and len(n) == 8)]
    assert [(s, n) for s, n in reported if f"{s}/{n}" not in text and f"landing/{s}" not in text] == []


# --- failure classes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chain,kind",
    [
        (
            [("DagsterExecutionStepExecutionError", "x"), ("DeliveryError", "card 20261120 card_txn.csv: ...")],
            "delivery",
        ),
        ([("IOException", 'IO Error: Could not set lock on file "w.duckdb": Conflicting lock is held')], "locked"),
        ([("RunLocked", "another crm run (pid 1) is running")], "locked"),
        ([("KeyboardInterrupt", "")], "interrupted"),
        ([("DagsterExecutionInterruptedError", "")], "interrupted"),
        ([("IOException", "IO Error: Cannot open file: Read-only file system")], "storage"),
        ([("OSError", "[Errno 28] No space left on device")], "storage"),
        ([("NotADirectoryError", "[Errno 20] Not a directory: 'x'")], "storage"),
        ([("MissingPiiKey", "CRM_PII_KEY is not set")], "config"),
        ([("ZeroDivisionError", "division by zero")], "internal"),
    ],
)
def test_each_failure_class_is_told_apart(chain, kind):
    assert classify(chain) == kind
