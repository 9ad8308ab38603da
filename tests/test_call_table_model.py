"""The call table's pure parts: row order, filter, sort, linger, cursor following, column fitting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from calltui.domain.call import Call
from calltui.domain.diff import PollDiff
from calltui.ui.widgets import sorted_blocks
from calltui.ui.widgets.call_columns import COLUMN_KEYS, fit, header_text, layout_for, short_sid
from calltui.ui.widgets.call_rows import RowModel, follow
from calltui.ui.widgets.sorted_blocks import SortedBlocks

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def sid(n: int) -> str:
    return f"CA{n:032x}"


def call(n: int, status: str = "in-progress", age: int | None = None, **fields: object) -> Call:
    """Call number `n`, created `age` seconds ago (default: n seconds, so higher n = older)."""
    created = NOW - timedelta(seconds=n if age is None else age)
    values: dict[str, object] = {
        "status": status,
        "direction": "inbound",
        "from_": f"+1555{n:07d}",
        "to": f"+1666{n:07d}",
        "date_created": created,
        "start_time": created,
    }
    values.update(fields)
    return Call(sid=sid(n), **values)  # type: ignore[arg-type]


def model(*calls: Call, linger: float = 5.0) -> RowModel:
    rows = RowModel(linger=linger, tz=UTC)
    rows.set_calls(calls, NOW)
    return rows


def test_default_order_is_newest_first_and_lookups_agree() -> None:
    rows = model(call(3), call(1), call(2))
    assert rows.sids() == [sid(1), sid(2), sid(3)]
    assert [rows.sid_at(i) for i in range(3)] == rows.sids()
    assert [rows.index_of(s) for s in rows.sids()] == [0, 1, 2]
    assert rows.window(1, 5) == [sid(2), sid(3)]
    assert rows.index_of(sid(99)) is None
    with pytest.raises(IndexError):
        rows.sid_at(3)


def test_diff_adds_in_order_and_changed_sort_key_moves_the_row() -> None:
    rows = model(*(call(n) for n in range(1, 6)))
    change = rows.apply(PollDiff(added=(call(0),), changed=(call(4, age=0, status="ringing"),)), NOW)
    assert change.reordered and change.touched == {sid(0), sid(4)}
    assert rows.sids()[:2] in ([sid(0), sid(4)], [sid(4), sid(0)])  # both created "now"; SID breaks the tie
    assert rows.sids()[2:] == [sid(1), sid(2), sid(3), sid(5)]
    assert rows.get(sid(4)).status == "ringing"  # type: ignore[union-attr]


def test_change_that_keeps_the_position_is_not_a_reorder() -> None:
    rows = model(call(1), call(2))
    change = rows.apply(PollDiff(changed=(call(2, status="ringing"),)), NOW)
    assert not change.reordered and change.touched == {sid(2)}


def test_removed_and_ended_calls_linger_then_expire_in_one_batch() -> None:
    rows = model(*(call(n) for n in range(1, 6)))
    rows.apply(PollDiff(changed=(call(2, status="completed"),), removed=(sid(3), sid(4))), NOW)
    assert len(rows) == 5  # still shown
    assert all(rows.is_lingering(s) for s in (sid(2), sid(3), sid(4)))
    assert rows.counts() == {"in-progress": 2}  # lingering rows do not count
    assert rows.expire(NOW + timedelta(seconds=4.9)) == set()
    assert rows.expire(NOW + timedelta(seconds=5)) == {sid(2), sid(3), sid(4)}
    assert rows.sids() == [sid(1), sid(5)]
    assert rows.get(sid(3)) is None


def test_a_lingering_call_seen_again_is_live_again() -> None:
    rows = model(call(1), call(2))
    rows.apply(PollDiff(removed=(sid(1),)), NOW)
    rows.apply(PollDiff(added=(call(1, status="ringing"),)), NOW + timedelta(seconds=2))
    assert not rows.is_lingering(sid(1))
    assert rows.expire(NOW + timedelta(seconds=60)) == set()
    assert rows.counts() == {"ringing": 1, "in-progress": 1}


def test_a_sid_twice_in_one_diff_is_one_row() -> None:
    rows = model(call(1))
    rows.apply(PollDiff(added=(call(2), call(2, status="ringing", age=0)), changed=(call(2, age=3),)), NOW)
    assert rows.sids() == [sid(1), sid(2)]
    assert rows.get(sid(2)).status == "in-progress"  # type: ignore[union-attr]  # the last record wins
    gone = RowModel(linger=0)
    gone.set_calls([call(1)], NOW)
    gone.apply(PollDiff(added=(call(2),), removed=(sid(2),)), NOW)  # a malformed diff must not break order
    assert gone.sids() == [sid(1)]


def test_no_linger_drops_at_once_and_ended_view_keeps_ended_calls() -> None:
    rows = model(call(1), call(2), linger=0)
    rows.apply(PollDiff(removed=(sid(1),)), NOW)
    assert rows.sids() == [sid(2)]
    recent = RowModel(tz=UTC)
    recent.keep_ended = True
    recent.set_calls([call(1, status="completed")], NOW)
    assert not recent.is_lingering(sid(1))
    assert recent.expire(NOW + timedelta(days=1)) == set()


def test_unknown_status_is_not_an_end() -> None:
    rows = model(call(1, status="teleported"))
    assert not rows.is_lingering(sid(1))
    assert rows.counts() == {"teleported": 1}


def test_filter_is_case_insensitive_over_shown_texts_and_caller_name() -> None:
    rows = model(call(1, caller_name="ACME Support"), call(2, direction="outbound-api"), call(3))
    assert rows.set_filter("acme")
    assert rows.sids() == [sid(1)]
    rows.set_filter("OUTBOUND")
    assert rows.sids() == [sid(2)]
    rows.set_filter(sid(3)[-6:].upper())
    assert rows.sids() == [sid(3)]
    assert not rows.set_filter(sid(3)[-6:].upper())  # unchanged
    rows.set_filter("")
    assert len(rows) == 3


def test_filter_applies_to_rows_a_diff_brings() -> None:
    rows = model(call(1), call(2))
    rows.set_filter("+1555000000")  # matches every from_ here
    rows.set_filter("+15550000002")
    assert rows.sids() == [sid(2)]
    rows.apply(PollDiff(added=(call(22, from_="+15550000002"),), changed=(call(2, from_="+1999"),)), NOW)
    assert rows.sids() == [sid(22)]


def test_sort_toggles_and_unknown_values_stay_at_the_bottom() -> None:
    rows = model(call(1, from_="+3"), call(2, from_="+1"), call(3, from_=None), call(4, from_="+2"))
    rows.sort_by("from")
    assert (rows.sort_column, rows.descending) == ("from", False)
    assert rows.sids() == [sid(2), sid(4), sid(1), sid(3)]
    rows.sort_by("from")
    assert rows.descending
    assert rows.sids() == [sid(1), sid(4), sid(2), sid(3)]
    with pytest.raises(KeyError):
        rows.sort_by("nope")


def test_status_sorts_by_lifecycle_and_every_column_sorts() -> None:
    rows = model(
        call(1, status="completed"), call(2, status="queued"), call(3, status="odd"), call(4, status=None)
    )
    rows.sort_by("status")
    assert rows.sids() == [sid(2), sid(1), sid(3), sid(4)]
    for column in COLUMN_KEYS:
        rows.sort_by(column)
        rows.sort_by(column)
        assert sorted(rows.sids()) == sorted(sid(n) for n in range(1, 5))


def test_inserted_rows_land_where_a_full_sort_puts_them() -> None:
    # More arrivals than the binary-insertion limit take the merge path; both must agree with a sort.
    rows = model(*(call(n, age=n * 2) for n in range(100)))
    added = tuple(call(1000 + n, age=n * 2 + 1) for n in range(600))
    rows.apply(PollDiff(added=added), NOW)
    fresh = model(*(call(n, age=n * 2) for n in range(100)), *added)
    assert rows.sids() == fresh.sids()
    rows.apply(PollDiff(added=(call(5000, age=3),)), NOW)
    assert rows.index_of(sid(5000)) == rows.sids().index(sid(5000))


def test_follow_keeps_the_call_on_the_same_screen_row() -> None:
    rows = model(*(call(n) for n in range(10, 60)))
    index = rows.index_of(sid(30))
    assert index == 20
    rows.apply(PollDiff(added=(call(1), call(2), call(3))), NOW)  # newest: above the cursor
    assert follow(rows, sid(30), index, top=15, height=10) == (sid(30), 23, 18)


def test_follow_moves_to_the_same_index_when_the_call_is_gone_and_clamps() -> None:
    rows = model(*(call(n) for n in range(5)))
    rows.apply(PollDiff(removed=(sid(2),)), NOW)
    rows.expire(NOW + timedelta(seconds=5))
    assert follow(rows, sid(2), 2, top=0, height=10) == (sid(3), 2, 0)
    assert follow(rows, sid(2), 9, top=0, height=10) == (sid(4), 3, 0)
    assert follow(model(), sid(2), 2, top=0, height=10) == (None, 0, 0)
    assert follow(rows, None, 0, top=0, height=10) == (sid(0), 0, 0)


@pytest.mark.parametrize("width", [40, 64, 78, 80, 100, 120, 158, 200, 400])
def test_layout_fills_the_width_exactly(width: int) -> None:
    layout = layout_for(width)
    header = header_text(layout, "started", True)
    assert cell_len(header) == max(width, layout.total)
    assert layout.total <= width or width < 69  # columns only overflow tables narrower than their minimum


def test_layout_at_80_and_200_columns() -> None:
    narrow, wide = layout_for(78), layout_for(198)
    assert not narrow.full_sid and wide.full_sid
    assert narrow.widths["from"] >= 12  # an E.164 number fits
    assert wide.widths["from"] == 40
    assert narrow.column_at(0) == "status" and narrow.column_at(narrow.offset("sid")) == "sid"


def test_fit_counts_cells_not_characters() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abc", 5, right=True) == "  abc"
    assert fit("abcdef", 4) == "abc…"
    assert cell_len(fit("名前名前", 5)) == 5
    assert cell_len(fit("😀😀😀", 4)) == 4
    assert cell_len(fit("e\u0301" * 10, 4)) == 4
    assert fit("x", 0) == ""
    assert short_sid("CA" + "0123456789abcdef" * 2) == "CA0123…cdef"


# --- the display order at scale: blocks, compared with one sorted list --------------------------------


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 60)), max_size=300))
def test_sorted_blocks_agree_with_one_sorted_list(
    monkeypatch: pytest.MonkeyPatch, steps: list[tuple[bool, int]]
) -> None:
    monkeypatch.setattr(sorted_blocks, "LOAD", 3)  # small blocks: splits and emptied blocks happen
    blocks: SortedBlocks[int] = SortedBlocks(range(0, 60, 7))
    plain = sorted(range(0, 60, 7))
    for add, item in steps:
        if add and item not in plain:
            blocks.add(item)
            plain = sorted([*plain, item])
        elif not add and item in plain:
            blocks.remove(item)
            plain.remove(item)
        elif not add:
            with pytest.raises(ValueError):
                blocks.remove(item)
    assert list(blocks) == plain and len(blocks) == len(plain)
    assert [blocks[i] for i in range(len(plain))] == plain
    assert [blocks.index(item) for item in plain] == list(range(len(plain)))
    for start in range(-1, len(plain) + 2, 2):
        assert blocks.slice(start, start + 4) == plain[max(0, start) : start + 4]
    with pytest.raises(IndexError):
        blocks[len(plain)]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 40), max_size=12),  # added or changed (a new age)
            st.lists(st.integers(0, 40), max_size=6),  # removed
            st.integers(0, 40),
        ),
        max_size=8,
    ),
    st.sampled_from(["", "5", "1"]),
    st.sampled_from(list(COLUMN_KEYS)),
)
def test_polls_applied_one_by_one_order_the_rows_as_one_sort_would(
    monkeypatch: pytest.MonkeyPatch, polls: list[tuple[list[int], list[int], int]], needle: str, column: str
) -> None:
    """The order kept change by change (rows taken out and put back) is the order a full sort gives."""
    monkeypatch.setattr(sorted_blocks, "LOAD", 2)
    rows = model(*(call(n) for n in range(0, 40, 3)), linger=0)
    rows.sort_by(column)
    rows.set_filter(needle)
    for changed, removed, seed in polls:
        calls = tuple(
            call(n, age=(n * seed) % 17, status="ringing" if seed % 2 else "in-progress") for n in changed
        )
        rows.apply(PollDiff(changed=calls, removed=tuple(sid(n) for n in removed)), NOW)
        fresh = RowModel(linger=0, tz=UTC)
        fresh.sort_column, fresh.descending = rows.sort_column, rows.descending
        fresh.set_filter(needle)
        fresh.set_calls([c for s in sorted(rows._calls) if (c := rows.get(s)) is not None], NOW)
        assert rows.sids() == fresh.sids()
        assert [rows.index_of(s) for s in rows.sids()] == list(range(len(rows)))
