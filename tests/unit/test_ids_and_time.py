from datetime import UTC, datetime, timedelta, timezone

import pytest

from gigcore.domain.clock import parse_rfc3339, to_rfc3339
from gigcore.domain.ids import is_id, new_id


def test_ids_are_26_character_ulids_that_sort_by_time():
    first, second = new_id(), new_id()
    assert len(first) == 26 and is_id(first)
    assert first[:10] <= second[:10]


def test_times_are_utc_with_a_z():
    assert to_rfc3339(datetime(2026, 11, 22, 10, 0, tzinfo=UTC)) == "2026-11-22T10:00:00Z"
    lagos = timezone(timedelta(hours=1))
    assert to_rfc3339(datetime(2026, 11, 22, 11, 0, tzinfo=lagos)) == "2026-11-22T10:00:00Z"


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        to_rfc3339(datetime(2026, 11, 22, 10, 0))  # noqa: DTZ001


def test_parsing_round_trips():
    assert to_rfc3339(parse_rfc3339("2026-11-22T10:00:00Z")) == "2026-11-22T10:00:00Z"
    with pytest.raises(ValueError):
        parse_rfc3339("2026-11-22T10:00:00")


def test_an_id_carries_its_creation_time():
    from gigcore.domain.ids import id_time_ms

    assert id_time_ms(new_id(now_ms=1_763_800_000_000)) == 1_763_800_000_000


def test_ids_of_later_milliseconds_sort_after():
    assert new_id(now_ms=1_000) < new_id(now_ms=1_001)


def test_ids_made_in_one_millisecond_sort_in_the_order_they_were_made():
    made = [new_id(now_ms=1_800_000_000_000) for _ in range(2_000)]
    assert made == sorted(made)
    assert len(set(made)) == len(made)


def test_ids_made_by_many_threads_in_one_millisecond_are_all_different():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(lambda _: new_id(now_ms=1_800_000_000_001), range(4_000)))
    assert len(set(made)) == len(made)
    assert all(is_id(one) for one in made)
