"""Which business dates a nightly run takes, and in which order."""

from datetime import date

from models.ingest.landing import dates_to_run

D1, D2, D3, D4 = (date(2026, 11, d) for d in (1, 2, 3, 4))


def test_runs_unpublished_dates_in_order_and_skips_published():
    assert dates_to_run([D1, D2, D3], [], {D1}, None, False) == ([D2, D3], [D1], [])


def test_an_incomplete_delivery_holds_back_later_dates():
    todo, skipped, waiting = dates_to_run([D1, D3, D4], [D2], {D1}, None, False)
    assert todo == [] and skipped == [D1] and waiting == [D3, D4]


def test_a_late_delivery_replays_every_later_published_date():
    todo, skipped, _ = dates_to_run([D1, D2, D3], [], {D1, D3}, None, False)
    assert todo == [D2, D3] and skipped == [D1]


def test_rerun_with_as_of_reruns_only_that_date():
    assert dates_to_run([D1, D2, D3], [], {D1, D2, D3}, D2, True) == ([D2], [D1], [])


def test_as_of_limits_the_run():
    assert dates_to_run([D1, D2, D3], [], set(), D2, False) == ([D1, D2], [], [])
