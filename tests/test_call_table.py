"""The live call table in a real (headless) Textual app: order, cursor, linger, filter, sort, hostile text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from test_call_table_model import NOW, call, sid
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from uihelpers import screen_lines

from calltui.domain.call import Call
from calltui.domain.diff import PollDiff
from calltui.ui.describe import call_line, short_sid
from calltui.ui.widgets.call_table import CallTable


class TableApp(App[None]):
    def __init__(self, linger: float = 5.0) -> None:
        super().__init__()
        self.linger = linger
        self.highlights: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield CallTable(linger=self.linger, tz=UTC)

    @property
    def table(self) -> CallTable:
        return self.query_one(CallTable)

    def on_call_table_highlighted(self, message: CallTable.Highlighted) -> None:
        self.highlights.append(message.sid)


def width_of(strip: Strip) -> int:
    """Measured from the segments, not the strip's own (declared) length."""
    return sum(cell_len(segment.text) for segment in strip)


def lines(table: CallTable) -> list[Strip]:
    return [table.render_line(y) for y in range(table.scrollable_content_region.height)]


async def assert_screen_is_current(app: TableApp, pilot: Pilot[None]) -> None:
    """The screen (text and styles) equals a from-scratch repaint: no changed line was left stale."""
    live = app.export_screenshot()
    app.table.refresh()
    await pilot.pause()
    assert app.export_screenshot() == live


def screen_row_of(table: CallTable, call_sid: str) -> int:
    """The screen line showing `call_sid` (0 is the header)."""
    index = table.visible_sids.index(call_sid)
    return index - table.scroll_offset.y + 1


async def test_rows_appear_newest_first_under_a_header() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 10)) as pilot:
        app.table.set_calls([call(3), call(1), call(2)], NOW)
        await pilot.pause()
        header, *rows = (strip.text for strip in lines(app.table))
        assert header.split()[:4] == ["STATUS", "DIRECTION", "FROM", "TO"]
        assert "STARTED▼" in header
        assert [row.split()[2] for row in rows[:3]] == ["+15550000001", "+15550000002", "+15550000003"]
        assert "11:59:59" in rows[0]  # start time, HH:MM:SS in the table's zone
        assert rows[3].strip() == ""
        assert app.table.highlighted_sid == sid(1)
        assert app.highlights == [sid(1)]


async def test_call_added_above_cursor_keeps_cursor_and_its_screen_row() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        table.set_calls([call(n) for n in range(10, 40)], NOW)
        await pilot.pause()
        await pilot.press(*["down"] * 15)  # scrolled away from the head of the list
        target = sid(25)
        assert table.highlighted_sid == target and table.scroll_offset.y > 0
        row_before = screen_row_of(table, target)
        width = table.scrollable_content_region.width  # the scrollbar's thumb may move; the rows must not
        screen_before = screen_lines(app, width)
        assert "+15550000025" in screen_before[row_before]
        table.apply(PollDiff(added=(call(1), call(2))), NOW)  # newer: sorted above the cursor
        await pilot.pause()
        assert table.highlighted_sid == target
        assert table.visible_sids.index(target) == 17
        assert screen_row_of(table, target) == row_before
        assert screen_lines(app, width) == screen_before  # the new rows wait above it
        # One lands inside the screen, above the cursor: lines above it shift, the cursor's line holds.
        table.apply(PollDiff(added=(call(100, age=22),), removed=(sid(30),)), NOW)
        await pilot.pause()
        assert screen_row_of(table, target) == row_before
        await assert_screen_is_current(app, pilot)
        assert app.highlights == [sid(n) for n in range(10, 26)]  # no message for the shift


async def test_at_the_head_of_the_list_new_calls_come_into_view_and_the_cursor_keeps_its_call() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        table.set_calls([call(n) for n in range(10, 40)], NOW)
        await pilot.pause()
        await pilot.press("down", "down", "down")
        target = sid(13)
        row_before = screen_row_of(table, target)
        table.apply(PollDiff(added=(call(1), call(2))), NOW)
        await pilot.pause()
        assert table.highlighted_sid == target
        assert table.scroll_offset.y == 0  # the view stays at the head: the new calls are on screen
        assert screen_row_of(table, target) == row_before + 2
        assert "+15550000001" in screen_lines(app, table.scrollable_content_region.width)[1]
        await assert_screen_is_current(app, pilot)


async def test_status_change_recolours_row_without_moving_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        table.set_calls([call(1), call(2, status="ringing"), call(3)], NOW)
        await pilot.pause()
        ringing = table.get_component_rich_style("call-table--status-ringing").color
        in_progress = table.get_component_rich_style("call-table--status-in-progress").color
        assert ringing != in_progress
        assert table.render_line(2).text.startswith("ringing")
        assert next(iter(table.render_line(2))).style.color == ringing
        table.apply(PollDiff(changed=(call(2, status="in-progress"),)), NOW)
        await pilot.pause()
        status_segment = next(iter(table.render_line(2)))
        assert status_segment.text.startswith("in-progress")
        assert status_segment.style.color == in_progress
        assert table.highlighted_sid == sid(1)
        assert "ringing" not in app.export_screenshot()  # the changed line was repainted on screen


async def test_ended_call_lingers_dimmed_then_goes() -> None:
    app = TableApp(linger=5.0)
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        table.set_calls([call(1), call(2), call(3)], NOW)
        await pilot.pause()
        table.apply(PollDiff(changed=(call(2, status="completed", duration=2),)), NOW)
        await pilot.pause()
        assert table.lingering(sid(2)) and table.row_count == 3
        assert table.counts_by_status() == {"in-progress": 2}
        dimmed = table.render_line(2)
        assert "completed" in dimmed.text
        assert all(segment.style.dim for segment in dimmed)
        assert not any(segment.style.dim for segment in table.render_line(3))
        assert table.expire(NOW + timedelta(seconds=4)) == set()
        table.tick(NOW + timedelta(seconds=5))
        await pilot.pause()
        assert table.visible_sids == [sid(1), sid(3)]
        assert table.get_call(sid(2)) is None
        assert "+15550000002" not in app.export_screenshot()
        await assert_screen_is_current(app, pilot)


async def test_removing_highlighted_call_moves_cursor_to_same_index() -> None:
    app = TableApp(linger=5.0)
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        table.set_calls([call(n) for n in range(1, 6)], NOW)
        await pilot.pause()
        await pilot.press("down", "down")
        assert table.highlighted_sid == sid(3)
        table.apply(PollDiff(removed=(sid(3),)), NOW)
        await pilot.pause()
        assert table.highlighted_sid == sid(3)  # still shown while it lingers
        table.expire(NOW + timedelta(seconds=5))
        await pilot.pause()
        assert table.highlighted_sid == sid(4)
        assert table.visible_sids.index(sid(4)) == 2
        await assert_screen_is_current(app, pilot)
        assert app.highlights[-1] == sid(4)
        await pilot.press("end")
        table.apply(PollDiff(removed=(sid(5),)), NOW)
        table.expire(NOW + timedelta(seconds=5))
        await pilot.pause()
        assert table.highlighted_sid == sid(4)  # clamped to the last row
        await assert_screen_is_current(app, pilot)
        table.set_calls([], NOW)
        await pilot.pause()
        assert table.highlighted_sid is None and table.highlighted_call is None
        assert app.highlights[-1] is None


async def test_filter_narrows_keeps_matching_cursor_and_restores() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        table.set_calls(
            [call(1), call(2, caller_name="Ada Lovelace"), call(3, direction="outbound-api")], NOW
        )
        await pilot.pause()
        await pilot.press("down")
        table.set_filter("lovelace")
        await pilot.pause()
        assert table.visible_sids == [sid(2)] and table.highlighted_sid == sid(2)
        assert table.filter_text == "lovelace"
        table.set_filter("OUTBOUND")
        await pilot.pause()
        assert table.visible_sids == [sid(3)] and table.highlighted_sid == sid(3)
        assert table.render_line(2).text.strip() == ""
        await assert_screen_is_current(app, pilot)
        table.set_filter("")
        await pilot.pause()
        assert table.visible_sids == [sid(1), sid(2), sid(3)] and table.highlighted_sid == sid(3)


async def test_sort_toggles_and_header_shows_direction() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.table
        table.set_calls([call(1, to="+3"), call(2, to="+1"), call(3, to="+2")], NOW)
        await pilot.pause()
        table.sort_by("to")
        assert table.visible_sids == [sid(2), sid(3), sid(1)]
        assert "TO▲" in table.render_line(0).text and "▼" not in table.render_line(0).text
        table.sort_by("to")
        assert table.visible_sids == [sid(1), sid(3), sid(2)]
        assert "TO▼" in table.render_line(0).text
        table.cycle_sort()
        assert table.sort_column == "started" and table.sort_descending
        table.reverse_sort()
        assert not table.sort_descending and table.visible_sids == [sid(3), sid(2), sid(1)]


async def test_keys_and_clicks_move_the_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 11)) as pilot:  # header + 10 rows
        table = app.table
        table.set_calls([call(n) for n in range(40)], NOW)
        await pilot.pause()
        await pilot.press("end")
        assert table.highlighted_sid == sid(39) and table.scroll_offset.y == 30
        await pilot.press("g")
        assert table.highlighted_sid == sid(0) and table.scroll_offset.y == 0
        await pilot.press("pagedown")
        assert table.highlighted_sid == sid(10) and table.scroll_offset.y == 10
        await pilot.press("up")
        assert table.highlighted_sid == sid(9)
        await pilot.press("pageup")
        assert table.highlighted_sid == sid(0) and table.scroll_offset.y == 0
        await pilot.press("G")
        assert table.highlighted_sid == sid(39)
        await pilot.press("home", "down")
        assert table.highlighted_sid == sid(1)
        await assert_screen_is_current(app, pilot)
        await pilot.click(CallTable, offset=(3, 4))  # line 4 = fourth row
        assert table.highlighted_sid == sid(3)
        await pilot.click(CallTable, offset=(table.scrollable_content_region.width - 3, 0))  # header: sort
        assert table.sort_column == "sid"
        assert table.move_cursor_to(sid(25)) and table.highlighted_sid == sid(25)
        assert not table.move_cursor_to("CA-unknown")


async def test_highlighted_call_stays_on_screen_when_the_terminal_shrinks() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 21)) as pilot:  # header + 20 rows
        table = app.table
        table.set_calls([call(n) for n in range(40)], NOW)
        await pilot.pause()
        table.move_cursor_to(sid(19))
        await pilot.resize_terminal(120, 6)  # header + 5 rows
        await pilot.pause()
        assert 1 <= screen_row_of(table, sid(19)) <= 5


async def test_scrollbar_and_scroll_range_follow_the_row_count() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 11)) as pilot:  # header + 10 rows
        table = app.table
        table.set_calls([call(n) for n in range(1, 4)], NOW)
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        table.apply(PollDiff(added=tuple(call(n) for n in range(4, 40))), NOW)  # the scrollbar appears
        await pilot.pause()
        await pilot.pause()  # the second layout pass its appearance causes
        assert table.show_vertical_scrollbar
        assert all(width_of(strip) == table.scrollable_content_region.width for strip in lines(table))
        table.apply(PollDiff(added=tuple(call(n) for n in range(40, 45))), NOW)  # it stays: no layout
        await pilot.pause()
        assert table.vertical_scrollbar.window_virtual_size == 45  # header + 44 rows
        await pilot.press("end")
        assert table.scroll_offset.y == 34
        assert "+15550000044" in table.render_line(10).text


async def test_duration_is_live_and_sid_width_follows_the_terminal() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 8)) as pilot:
        table = app.table
        table.set_calls([call(1, age=0)], NOW)
        table.tick(NOW + timedelta(seconds=65))
        await pilot.pause()
        row = table.render_line(1).text
        assert "1:05" in row
        assert "CA0000…0001" in row and sid(1) not in row
        table.tick(NOW + timedelta(seconds=66))
        await pilot.pause()
        assert "1:06" in app.export_screenshot()  # on screen, not only in what the table would draw
        await pilot.resize_terminal(200, 8)
        await pilot.pause()
        assert sid(1) in table.render_line(1).text
        assert all(width_of(strip) == table.scrollable_content_region.width for strip in lines(table))


async def test_unknown_status_renders_unstyled() -> None:
    app = TableApp()
    async with app.run_test(size=(120, 8)) as pilot:
        table = app.table
        table.set_calls([call(1), call(2, status="teleported"), call(3, status=None)], NOW)
        await pilot.pause()
        unknown = list(table.render_line(2))
        assert unknown[0].text.startswith("teleported")
        assert unknown[0].style == unknown[1].style  # status cell styled like the rest of the row
        assert table.render_line(3).text.startswith("—")


HOSTILE = [
    "[bold red]x[/]",
    "[/bold]",
    "[link=https://evil.example]click[/link]",
    "\x1b[31mred\x1b[0m",
    "".join(chr(c) for c in range(32)) + "ctl",
    "y" * 5000,
    "😀👨‍👩‍👧 名前 e\u0301\u0301 ﷽",
    "\u202etxet desrever",
]


@pytest.mark.parametrize("width", [80, 200])
async def test_hostile_strings_render_literally_at_exact_width(width: int) -> None:
    app = TableApp()
    async with app.run_test(size=(width, 2 + len(HOSTILE))) as pilot:
        table = app.table
        calls = [
            Call(
                sid=sid(n),
                status=text,
                direction=text,
                from_=text,
                to=text,
                caller_name=text,
                date_created=NOW,
            )
            for n, text in enumerate(HOSTILE)
        ]
        table.set_calls([*calls, Call(sid="[b]" + "\x1b[1m" + "名" * 40)], NOW)
        await pilot.pause()
        rendered = lines(table)
        assert all(width_of(strip) == table.scrollable_content_region.width for strip in rendered)
        text = "\n".join(strip.text for strip in rendered)
        assert "\x1b" not in text and not any(ch in text for ch in "\x00\x07\x08\r\u202e")
        for literal in ("[bold red]x[/]", "[/bold]", "[link=https:", "red"):
            assert literal in text
        assert "[b]" in text


def hostile_text() -> st.SearchStrategy[str]:
    markup = st.sampled_from(
        ["[b]", "[/]", "[link=x]", "[bold red]", "[@click=quit]", "\x1b[31m", "\x00", "😀"]
    )
    return st.one_of(
        st.text(max_size=40),
        st.text(st.characters(codec="utf-8"), max_size=300),
        st.lists(st.one_of(markup, st.text(max_size=3)), max_size=12).map("".join),
    )


def optional(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.none(), strategy)


_dates = optional(st.datetimes(timezones=st.just(UTC)))
_calls = st.builds(
    Call,
    sid=st.one_of(st.sampled_from(["CA1", "CA2", ""]), hostile_text()),  # repeats: a SID twice in one poll
    status=optional(
        st.one_of(hostile_text(), st.sampled_from(["queued", "ringing", "in-progress", "completed"]))
    ),
    direction=optional(hostile_text()),
    from_=optional(hostile_text()),
    to=optional(hostile_text()),
    from_formatted=optional(hostile_text()),
    to_formatted=optional(hostile_text()),
    caller_name=optional(hostile_text()),
    date_created=_dates,
    start_time=_dates,
    end_time=_dates,
    duration=optional(st.integers(min_value=-(10**12), max_value=10**12)),
)
_TOKENS = st.sampled_from(["[b]", "[/]", "[link=x]", "[red]"])


async def test_property_any_call_renders_at_exact_width_and_literally() -> None:
    app = TableApp()
    async with app.run_test(size=(160, 14)) as pilot:
        table = app.table
        width = table.scrollable_content_region.width

        # Hypothesis drives a plain synchronous check against the one mounted table.
        @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            calls=st.lists(_calls, max_size=8),
            token=_TOKENS,
            tail=hostile_text(),
            column=st.sampled_from(["from_", "to"]),
        )
        def check(calls: list[Call], token: str, tail: str, column: str) -> None:
            marked = Call(sid="CA-marked", status="ringing", **{column: token + tail})  # type: ignore[arg-type]
            half = len(calls) // 2
            table.set_calls(calls[:half], NOW)
            diff = PollDiff(added=(*calls[half:], marked), removed=tuple(c.sid for c in calls[:1]))
            table.apply(diff, NOW)
            # Each call once, none lost (checked before sorting, which rebuilds the order from scratch).
            assert sorted(table.visible_sids) == sorted({c.sid for c in (*calls, marked)})
            table.sort_by("status")
            table.tick(NOW)
            rendered = lines(table)
            assert all(width_of(strip) == width for strip in rendered)
            assert any(token in strip.text for strip in rendered[1:])
            assert all("\x1b" not in strip.text for strip in rendered)

        check()
        await pilot.pause()


def test_a_sid_from_a_file_or_payload_is_shown_cleaned() -> None:
    assert short_sid("CA\x1b]0;pwned\x07" + "a" * 30) == "CAaaaa…aaaa"
    assert "\x1b" not in call_line(Call(sid="CA\x1b[2J" + "a" * 30), datetime(2026, 1, 1, tzinfo=UTC))
