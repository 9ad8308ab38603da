"""Bulk actions: marks in the table, the typed-count confirm, and many calls redirected or hung up at once,
driven through the Pilot against the simulator (real SDK, real HTTP)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from audit_helpers import audit_lines
from conftest import ACCOUNT_SID, make_settings
from sim_helpers import Clock
from test_call_table import TableApp, assert_screen_is_current, lines, width_of
from test_call_table_model import NOW
from test_call_table_model import call as table_call
from textual.pilot import Pilot
from uihelpers import first_poll, poll, table_text, until

from calltui.domain.actions import Hangup
from calltui.domain.diff import PollDiff
from calltui.domain.errors import CallNotLive, RequestTimeout
from calltui.gateway import TwilioGateway
from calltui.monitor.actions import ActionOutcome, ActionRunner
from calltui.monitor.audit import AuditLog
from calltui.monitor.bulk import CONCURRENCY, BulkItem, BulkReport, BulkRunner, summary
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.bulk_confirm import BulkConfirmScreen
from calltui.ui.screens.redirect import RedirectScreen
from calltui.ui.widgets.bulk_bar import BAR_WIDTH, BulkBar

SIZE = (120, 30)


def add_calls(sim: Simulator, clock: Clock, statuses: list[str]) -> list[str]:
    """Calls one second apart, so the table (newest first) lists them in reverse order of `statuses`."""
    sids = []
    for status in statuses:
        clock.advance(1)
        sids.append(sim.add_call(status=status)["sid"])
    return sids


def sid_of(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".json")


def posts_by_sid(sim: Simulator) -> Counter[str]:
    return Counter(sid_of(r.path) for r in sim.requests if r.method == "POST")


def successful_posts(sim: Simulator) -> Counter[str]:
    assert sim.exchanges is not None
    return Counter(sid_of(e.path) for e in sim.exchanges if e.method == "POST" and e.status == 200)


def notices(app: CallTuiApp) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


def bar_text(app: CallTuiApp) -> str:
    bar = app.query_one(BulkBar)
    return bar.text if bar.display else ""


async def confirm(pilot: Pilot, count: int) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, BulkConfirmScreen), "the bulk confirm")
    await pilot.press(*str(count), "enter")


async def bulk_done(app: CallTuiApp, pilot: Pilot) -> None:
    await until(pilot, lambda: ": done" in notices(app), "the bulk summary")


# --- summary text ------------------------------------------------------------------------------


def outcome(result: str, error: Exception | None = None) -> ActionOutcome:
    return ActionOutcome("CA" + "0" * 32, "hangup", {"Status": "completed"}, result, error=error)  # type: ignore[arg-type]


def test_summary_counts_successes_and_groups_failures_by_code() -> None:
    not_live = CallNotLive("Call is not in-progress", code=21220, status=400)
    report = BulkReport([outcome("ok")] * 38 + [outcome("failed", not_live)] * 2)
    assert summary(report) == "38 succeeded, 2 failed: 21220 ×2"  # noqa: RUF001 (multiplication sign)
    timeout = RequestTimeout("no answer")
    report = BulkReport([outcome("ok"), outcome("unknown", timeout)], busy=["CAx"])
    assert summary(report, skipped=2) == "1 succeeded, 1 unknown (may have reached Twilio), 3 skipped"

    assert summary(BulkReport([outcome("dry-run")] * 3)) == "3 rehearsed (dry run: nothing sent)"


# --- marks -------------------------------------------------------------------------------------


async def test_space_marks_and_moves_down_a_clears_A_and_the_column_shows_only_with_marks(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    c, b, a = add_calls(sim, clock, ["in-progress"] * 3)  # shown a, b, c
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        plain = table_text(app)
        assert "●" not in plain and not app.query_one(BulkBar).display
        await pilot.press("space", "down", "space")
        assert app.table.marked_sids() == [a, c]
        assert app.table.highlighted_sid == c  # space moved down; the last row stays put
        lines = table_text(app).splitlines()
        assert lines[0].startswith("  STATUS")  # the mark column takes two cells, header included
        assert [line[:2] for line in lines[1:4]] == ["● ", "  ", "● "]
        assert all(len(line) == len(plain.splitlines()[0]) for line in lines)  # still exactly fits
        assert "2 marked" in bar_text(app) and "r / h" in bar_text(app)
        await pilot.press("space")  # again on c: unmarks
        assert app.table.marked_sids() == [a]
        await pilot.press("a")
        assert app.table.marked_sids() == [a, b, c]
        await pilot.press("A")
        assert app.table.marked_count == 0 and table_text(app) == plain and bar_text(app) == ""


async def test_filter_then_a_marks_exactly_the_shown_rows(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    flood = [sim.add_call(from_="+15550001111")["sid"] for _ in range(4)]
    others = [sim.add_call(from_="+15559998888")["sid"] for _ in range(3)]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("slash", *"0001111", "enter")
        assert sorted(app.table.visible_sids) == sorted(flood)
        await pilot.press("a")
        assert sorted(app.table.marked_sids()) == sorted(flood)
        assert not any(app.table.is_marked(sid) for sid in others)
        await pilot.press("slash", "escape")  # clearing the filter keeps the marks
        assert sorted(app.table.marked_sids()) == sorted(flood)


async def test_marks_of_calls_that_leave_the_table_are_dropped(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    gone, stays = add_calls(sim, clock, ["in-progress", "in-progress"])
    app = make_app(linger=5.0)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("a")
        sim.end_call(gone)
        await poll(app, pilot)
        assert app.table.is_marked(gone)  # still on screen (lingering, dimmed)
        clock.advance(6)
        app._tick()
        await pilot.pause()
        assert app.table.marked_sids() == [stays]
        assert "1 marked" in bar_text(app)


# --- bulk hang-up ------------------------------------------------------------------------------


async def test_hang_up_all_marked_sends_one_post_per_call_with_the_right_status(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    ringing, talking, unmarked, other = add_calls(
        sim, clock, ["ringing", "in-progress", "in-progress", "in-progress"]
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        for sid in (ringing, talking, other):
            app.table.move_cursor_to(sid)
            await pilot.press("space")
        await pilot.press("h")
        assert isinstance(app.screen, BulkConfirmScreen)
        dialog = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "Hang up 3 calls" in dialog and "Type 3" in dialog
        assert "Status=canceled to 1 call" in dialog and "Status=completed to 2 calls" in dialog
        await pilot.press("3", "enter")
        await bulk_done(app, pilot)
        assert posts_by_sid(sim) == {ringing: 1, talking: 1, other: 1}
        forms = {sid_of(r.path): r.form for r in sim.requests if r.method == "POST"}
        assert forms == {
            ringing: {"Status": "canceled"},
            talking: {"Status": "completed"},
            other: {"Status": "completed"},
        }
        assert sim.call(unmarked)["status"] == "in-progress"
        assert "3 succeeded" in notices(app)
        entries = audit_lines(tmp_path)
        assert sorted(e["call_sid"] for e in entries) == sorted([ringing, talking, other])
        assert {e["outcome"] for e in entries} == {"ok"} and {e["action"] for e in entries} == {"hangup"}
        assert app.table.marked_count == 0  # the marks were consumed
        await until(pilot, lambda: app.table.lingering(talking), "the rows to show the calls ended")


async def test_a_wrong_count_sends_nothing_and_escape_sends_nothing(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    add_calls(sim, clock, ["in-progress"] * 3)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("a", "h")
        await pilot.press("y", "enter")  # a reflex: letters cannot even be typed, Enter alone refuses
        assert isinstance(app.screen, BulkConfirmScreen)
        await pilot.press("2", "enter")
        assert isinstance(app.screen, BulkConfirmScreen)
        assert "not 3" in str(app.screen.query_one("#bulk-message").render())
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]
        await pilot.press("h", "escape")
        assert app.screen is app.screen_stack[0]
        for _ in range(10):
            await pilot.pause(0.01)
        assert posts_by_sid(sim) == {} and audit_lines(tmp_path) == []
        assert app.table.marked_count == 3  # cancelled: the marks stay


async def test_calls_that_ended_are_skipped_and_calls_twilio_refuses_are_reported(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    known_ended, ended_unseen, live = add_calls(sim, clock, ["in-progress"] * 3)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("a")
        sim.end_call(known_ended)
        await poll(app, pilot)  # the table knows: it is skipped, never sent
        sim.end_call(ended_unseen)  # ended since the last poll: sent, and Twilio answers 21220
        await pilot.press("h")
        dialog = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "Hang up 2 calls" in dialog
        assert "1 marked call skipped (ended, or an action already waiting or in flight)." in dialog
        await confirm(pilot, 2)
        await bulk_done(app, pilot)
        assert posts_by_sid(sim) == {ended_unseen: 1, live: 1}
        assert "1 succeeded, 1 failed: 21220, 1 skipped" in notices(app)
        by_sid = {e["call_sid"]: e for e in audit_lines(tmp_path)}
        assert by_sid[live]["outcome"] == "ok"
        assert by_sid[ended_unseen]["outcome"] == "failed" and by_sid[ended_unseen]["error_code"] == 21220
        assert known_ended not in by_sid


async def test_429s_are_waited_out_and_every_call_succeeds_exactly_once(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sids = add_calls(sim, clock, ["in-progress"] * 6)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add("rate_limit", method="POST", times=2, retry_after=0.1)
        await pilot.press("a", "h")
        await confirm(pilot, 6)
        await bulk_done(app, pilot)
        assert successful_posts(sim) == dict.fromkeys(sids, 1)
        assert sum(posts_by_sid(sim).values()) == 8  # two were answered 429 and sent again
        assert all(sim.call(sid)["status"] == "completed" for sid in sids)
        assert "6 succeeded" in notices(app) and "failed" not in notices(app)
        entries = audit_lines(tmp_path)
        ok = Counter(e["call_sid"] for e in entries if e["outcome"] == "ok")
        assert ok == dict.fromkeys(sids, 1)
        limited = [e for e in entries if e["outcome"] != "ok"]
        assert len(limited) == 2 and {e["error_code"] for e in limited} == {20429}


async def test_other_failures_are_never_resent(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sids = add_calls(sim, clock, ["in-progress"] * 4)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add("status", method="POST", times=2, status=500)
        await pilot.press("a", "h")
        await confirm(pilot, 4)
        await bulk_done(app, pilot)
        assert posts_by_sid(sim) == dict.fromkeys(sids, 1)
        assert "2 succeeded" in notices(app) and "2 unknown" in notices(app)
        assert Counter(e["outcome"] for e in audit_lines(tmp_path)) == {"ok": 2, "unknown": 2}


async def test_concurrency_never_exceeds_the_bound(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    count = CONCURRENCY * 2 + 2
    sids = add_calls(sim, clock, ["in-progress"] * count)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add("latency", method="POST", seconds=0.2)
        await pilot.press("a", "h")
        await confirm(pilot, count)
        await until(pilot, lambda: "sent…" in bar_text(app), "the progress line")
        assert f"/{count} sent…" in bar_text(app)
        assert "━" * BAR_WIDTH in str(app.query_one(BulkBar).render())  # the progress bar after the text
        await bulk_done(app, pilot)
        assert posts_by_sid(sim) == dict.fromkeys(sids, 1)
        assert 1 < app.session.bulk.peak <= CONCURRENCY  # concurrent, but never more than the bound
        assert bar_text(app) == ""  # done, and the marks were consumed


# --- bulk redirect -----------------------------------------------------------------------------


async def test_redirect_all_marked_prompts_once_then_confirms_the_count(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    a, b, c = add_calls(sim, clock, ["in-progress", "ringing", "in-progress"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        app.table.move_cursor_to(a)
        await pilot.press("space")
        app.table.move_cursor_to(b)
        await pilot.press("space", "r")
        assert isinstance(app.screen, RedirectScreen)
        assert "2 marked calls" in str(app.screen.query_one("#redirect-call").render())
        await pilot.press(*"https://example.com/maintenance.xml", "enter")
        assert isinstance(app.screen, BulkConfirmScreen)
        dialog = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "Redirect 2 calls" in dialog
        assert "Redirects each call to https://example.com/maintenance.xml (POST)." in dialog
        await pilot.press("2", "enter")
        await bulk_done(app, pilot)
        forms = [r.form for r in sim.requests if r.method == "POST"]
        assert posts_by_sid(sim) == {a: 1, b: 1}
        assert all(form == {"Url": "https://example.com/maintenance.xml", "Method": "POST"} for form in forms)
        assert sim.call(c)["status"] == "in-progress"
        assert {e["action"] for e in audit_lines(tmp_path)} == {"redirect"}
        assert app.history.items == ["https://example.com/maintenance.xml"]


# --- read-only, help, palette ------------------------------------------------------------------


async def test_read_only_marks_but_sends_nothing(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    add_calls(sim, clock, ["in-progress"] * 2)
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("a")
        assert app.table.marked_count == 2 and "r / h" not in bar_text(app)
        await pilot.press("h", "r")
        assert app.screen is app.screen_stack[0]  # no dialog: the write keys are gone
        assert posts_by_sid(sim) == {}


async def test_mark_keys_are_in_the_help_and_the_palette_and_only_on_the_table(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        help_keys = dict(app._key_help())
        assert help_keys["space"] == "Mark / unmark the call"
        assert help_keys["a"] == "Mark every shown call" and help_keys["A"] == "Clear marks"
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Mark / unmark the call", "Mark every shown call", "Clear marks"} <= commands
        await pilot.press("enter")  # details: the table's keys are off
        await pilot.press("a")
        assert app.table.marked_count == 0
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert "Mark every shown call" not in commands


# --- the mark column in the table widget ---------------------------------------------------------


@pytest.mark.parametrize("width", [40, 80, 120, 200])
async def test_marked_rows_fit_the_width_exactly_and_repaint_completely(width: int) -> None:
    app = TableApp()
    async with app.run_test(size=(width, 8)) as pilot:
        app.table.set_calls([table_call(n) for n in range(1, 10)], NOW)
        await pilot.pause()
        for keys in (["space"], ["space", "space"], ["up", "space"], ["up", "up", "space", "space"]):
            for key in keys:
                if key == "space":
                    app.table.toggle_mark()
                else:
                    app.table.action_cursor_up()
            await pilot.pause()
            content = app.table.scrollable_content_region.width  # the scrollbar takes the rest
            assert all(width_of(strip) == content for strip in lines(app.table))
            await assert_screen_is_current(app, pilot)
        marked = app.table.marked_count
        assert marked == 2
        app.table.apply(PollDiff(removed=tuple(app.table.marked_sids())), NOW)  # linger: marks stay
        assert app.table.marked_count == marked
        app.table.expire(NOW + timedelta(seconds=6))  # gone: marks go, and so does the column
        await pilot.pause()
        assert app.table.marked_count == 0
        assert all(not strip.text.startswith("● ") for strip in lines(app.table))
        await assert_screen_is_current(app, pilot)


# --- the runner on its own ---------------------------------------------------------------------


@pytest.mark.parametrize(("retry_after", "first_pause"), [(2.0, (2.0, 2.25)), (None, (0.5, 1.0))])
async def test_a_call_that_keeps_getting_429s_stops_after_max_attempts(
    sim: Simulator, tmp_path: Path, retry_after: float | None, first_pause: tuple[float, float]
) -> None:
    sid = sim.add_call()["sid"]
    assert sim.base_url
    gateway = TwilioGateway(make_settings(sim.base_url))
    audit = AuditLog(tmp_path / "audit.jsonl")
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:  # record Twilio's pace instead of waiting it out
        pauses.append(seconds)

    runner = BulkRunner(ActionRunner(gateway, audit, ACCOUNT_SID), max_attempts=3, sleep=sleep)
    sim.faults.add("rate_limit", method="POST", retry_after=retry_after)
    try:
        report = await runner.run([BulkItem(sid, Hangup())])
    finally:
        await gateway.close()
    assert posts_by_sid(sim) == {sid: 3} and len(pauses) == 2
    assert first_pause[0] <= pauses[0] <= first_pause[1]
    if retry_after is None:
        assert pauses[1] >= 2 * first_pause[0]  # backs off further each time
    [outcome] = report.outcomes
    assert outcome.result == "failed" and outcome.error is not None and outcome.error.code == 20429
    assert summary(report) == "0 succeeded, 1 failed: 20429"
    assert [e["error_code"] for e in audit_lines(tmp_path)] == [20429] * 3


async def test_a_dry_run_bulk_says_so_sends_nothing_and_reports_a_clean_rehearsal(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    add_calls(sim, clock, ["in-progress"] * 3)
    app = make_app(dry_run=True)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("a", "h")
        assert isinstance(app.screen, BulkConfirmScreen)
        dialog = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "DRY-RUN" in dialog and "cannot be undone" not in dialog
        await pilot.press("3", "enter")
        await bulk_done(app, pilot)
        assert "3 rehearsed" in notices(app) and "0 succeeded" not in notices(app)
        assert all(n.severity == "information" for n in app._notifications if ": done" in n.title)
    assert not posts_by_sid(sim)
    assert {e["outcome"] for e in audit_lines(tmp_path)} == {"dry-run"}


async def test_a_call_waiting_in_its_grace_window_is_skipped_by_a_bulk_run(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    first, second = add_calls(sim, clock, ["in-progress", "in-progress"])
    app = make_app(grace=60)  # the test clock stands still: the single hang-up keeps waiting
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        app.table.move_cursor_to(first)
        await pilot.press("h", "y")
        assert app.session.grace.holds(first)
        await pilot.press("a", "h")
        assert isinstance(app.screen, BulkConfirmScreen)
        dialog = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "Hang up 1 call" in dialog and "skipped" in dialog
        await pilot.press("1", "enter")
        clock.advance(61)  # both windows end: the single hang-up and the run go, each call once
        app._safety_tick()
        await bulk_done(app, pilot)
        await until(pilot, lambda: posts_by_sid(sim) == {first: 1, second: 1}, "both hang-ups")


async def test_a_call_queued_in_a_running_bulk_cannot_be_acted_on_alone(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    sids = add_calls(sim, clock, ["in-progress"] * 2)
    sim.faults.add("latency", method="POST", seconds=2)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("a", "h", "2", "enter")
        assert app.session.bulk_running
        app.table.move_cursor_to(sids[0])
        await pilot.press("r")
        assert app.screen is app.screen_stack[0]  # no prompt: the call is already in the bulk run
        assert "waiting or in flight" in notices(app)
        await bulk_done(app, pilot)
    assert posts_by_sid(sim) == {sids[0]: 1, sids[1]: 1}
