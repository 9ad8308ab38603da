"""The picture through the Pilot: the activity sparkline, calls by number, export — against the simulator."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import FROZEN_NOW
from sim_helpers import Clock
from textual.widgets import DataTable, Input
from uihelpers import first_poll, poll, screen_lines, until

from calltui.monitor.export import inspect_export_path
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens import export as export_screen
from calltui.ui.screens.export import ExportScreen
from calltui.ui.screens.numbers import NumbersScreen
from calltui.ui.sparkline import BLOCKS

SIZE = (120, 30)
FLOOD = "+15550009999"


def header(app: CallTuiApp) -> str:
    return str(app.query_one("#status").render())


def notices(app: CallTuiApp) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


def cells(table: DataTable, row: int) -> list[str]:
    return [str(cell) for cell in table.get_row_at(row)]


# --------------------------------------------------------------------------- sparkline


async def test_the_header_draws_active_calls_poll_by_poll(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    first = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert "activity ▁" not in header(app)  # one sample of 1 is the top of its own scale
        clock.advance(2)
        sim.add_call(status="ringing")
        sim.add_call(status="queued")
        await poll(app, pilot)
        clock.advance(2)
        sim.end_call(first)
        await poll(app, pilot)
        assert [s.active for s in app.session.activity.samples] == [1, 3, 2]
        line = header(app).splitlines()[1]
        assert line.startswith("activity ▃█▆  now 2 · peak 3 · 4s")


async def test_failed_polls_and_the_ended_view_add_no_samples(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    sim.add_call(status="completed")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add("status", status=500, times=1)
        await poll(app, pilot)
        assert "STALE" in header(app)
        polls = app.polls_completed
        await pilot.press("v")
        await until(pilot, lambda: app.polls_completed > polls and app.table.row_count == 1, "the ended view")
        assert [s.active for s in app.session.activity.samples] == [1]
        assert "paused in the ended view" in header(app)
        assert "1 completed" in header(app)


async def test_the_header_is_two_lines_and_the_sparkline_fits_80_columns(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    for _ in range(3):
        sim.add_call()
    app = make_app(read_only=True)  # the longest first line
    async with app.run_test(size=(80, 24)) as pilot:
        await first_poll(app, pilot)
        for i in range(150):  # a long session: more samples than fit, and more than are kept
            app.session.activity.record(FROZEN_NOW + timedelta(seconds=2 * i), i % 40)
        app._render_header()
        await pilot.pause()
        status = app.query_one("#status")
        assert status.size.height == 2
        first, second = (status.render_line(y).text for y in range(2))
        assert first.startswith(" READ-ONLY  AC1111…1111") and first.rstrip().endswith("3 in-progress")
        assert second.startswith("activity ") and "now 29 · peak 39 · 74s" in second
        spark = second.split()[1]
        assert set(spark) <= set(BLOCKS) and len(spark) == 78 - len("activity ") - 31
        assert len(second.rstrip()) <= 78  # 80 columns less the padding


# --------------------------------------------------------------------------- calls by number


async def flood(sim: Simulator) -> set[str]:
    flooding = {sim.add_call(status="ringing", from_=FLOOD, to="+18005550199")["sid"] for _ in range(4)}
    flooding.add(sim.add_call(status="in-progress", from_=FLOOD, to="+18005550100")["sid"])
    sim.add_call(status="in-progress", from_="+14155550100", to="+18005550100")
    sim.add_call(status="queued", from_="client:[red]alice[/red]\x1b[2J", to="+18005550199")
    return flooding


async def test_calls_by_number_shows_the_flood_first_and_enter_filters_on_it(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    flooding = await flood(sim)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("n")
        screen = app.screen
        assert isinstance(screen, NumbersScreen)
        assert "7 active calls" in str(screen.query_one("#numbers-title").render())
        by_from = screen.query_one("#numbers-from", DataTable)
        assert [str(c.label) for c in by_from.columns.values()] == [
            "calls",
            "number",
            "queued",
            "ringing",
            "in-progress",
        ]
        assert cells(by_from, 0) == ["5", FLOOD, "", "4", "1"]
        assert by_from.row_count == 3
        assert {cells(by_from, i)[1] for i in (1, 2)} == {"+14155550100", "client:[red]alice[/red]"}
        by_to = screen.query_one("#numbers-to", DataTable)
        assert [cells(by_to, i)[:2] for i in range(by_to.row_count)] == [
            ["5", "+18005550199"],
            ["2", "+18005550100"],
        ]
        assert by_from.has_focus
        await pilot.press("enter")
        assert app.screen is app.screen_stack[0]
        assert set(app.table.visible_sids) == flooding
        assert app.query_one("#filter", Input).value == FLOOD
        assert f"filter “{FLOOD}”: 5 shown" in header(app)
        assert app.table.has_focus


async def test_enter_in_the_to_list_filters_on_the_called_number(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    await flood(sim)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("n", "tab", "down", "enter")
        assert app.screen is app.screen_stack[0]
        assert app.table.filter_text == "+18005550100"
        assert app.table.row_count == 2


async def test_escape_leaves_calls_by_number_without_filtering(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    await flood(sim)
    sim.add_call(from_=None)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("n")
        table = app.screen.query_one("#numbers-from", DataTable)
        assert cells(table, table.row_count - 1)[:2] == ["1", "—"]
        table.move_cursor(row=table.row_count - 1)
        await pilot.press("enter")  # no number: nothing to filter on
        assert isinstance(app.screen, NumbersScreen)
        assert "no number" in notices(app)
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]
        assert app.table.filter_text == "" and app.table.row_count == 8


async def test_calls_by_number_with_no_calls(sim: Simulator, make_app: Callable[..., CallTuiApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("n", "enter")
        assert isinstance(app.screen, NumbersScreen)
        assert cells(app.screen.query_one("#numbers-from", DataTable), 0)[0] == "none"
        await pilot.press("q")
        assert app.screen is app.screen_stack[0]


# --------------------------------------------------------------------------- keys in help and palette


@pytest.mark.parametrize("read_only", [False, True])
async def test_n_and_x_are_in_the_help_and_the_palette(
    sim: Simulator, make_app: Callable[..., CallTuiApp], read_only: bool
) -> None:
    app = make_app(read_only=read_only)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        commands = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Calls by number", "Export"} <= commands
        keys = dict(app._key_help())
        assert keys["n"] == "Calls by number" and keys["x"] == "Export"
        await pilot.press("question_mark")
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Calls by number" in text and "Export" in text
        await pilot.press("escape", "n")
        assert isinstance(app.screen, NumbersScreen)
        # Not from another screen: they act on the call table.
        assert not {"Calls by number", "Export"} & {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("x")
        assert isinstance(app.screen, NumbersScreen)


# --------------------------------------------------------------------------- export


async def export_to(pilot, app: CallTuiApp, path: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("x")
    assert isinstance(app.screen, ExportScreen)
    app.screen.query_one("#export-path", Input).value = path
    await pilot.press("enter")


@pytest.mark.parametrize("suffix", [".csv", ".json"])
async def test_export_writes_exactly_the_shown_rows_in_order(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path, suffix: str
) -> None:
    await flood(sim)
    for _ in range(3):
        clock.advance(1)
        sim.add_call(status="ringing", from_=FLOOD)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("slash", *FLOOD, "enter", "s", "s")  # 8 of 10 calls, sorted by SID
        shown = app.table.visible_sids
        assert len(shown) == 8 and shown == sorted(shown)
        path = tmp_path / f"out{suffix}"
        await export_to(pilot, app, str(path))
        await until(pilot, lambda: app.screen is app.screen_stack[0], "the prompt closed")
        await until(pilot, lambda: "Exported" in notices(app), "the export")
        assert f"8 calls written to {path}" in notices(app)
        if suffix == ".csv":
            rows = list(csv.DictReader(path.open(newline="")))
            assert [r["from"] for r in rows] == [f"'{FLOOD}"] * 8
        else:
            rows = json.loads(path.read_text())
            assert [r["from"] for r in rows] == [FLOOD] * 8
            assert rows[0]["date_created"].endswith("Z")
        assert [r["sid"] for r in rows] == shown
        assert {r["status"] for r in rows} == {"ringing", "in-progress"}


async def test_export_default_path_in_home_and_hostile_values(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    evil = sim.add_call(from_='=HYPERLINK("http://x")', caller_name="@evil\x1b[2J", to="-1+1")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("x")
        box = app.screen.query_one("#export-path", Input)
        assert box.value == "~/calltui-export-20261128-120000.csv"  # the clock's time (TZ=UTC in tests)
        assert "1 call shown" in str(app.screen.query_one("#export-what").render())
        await pilot.press("enter")
        await until(pilot, lambda: "Exported" in notices(app), "the export")
        [row] = list(csv.DictReader((tmp_path / "calltui-export-20261128-120000.csv").open(newline="")))
        assert row["sid"] == evil
        assert row["from"] == '\'=HYPERLINK("http://x")' and row["to"] == "'-1+1"
        assert row["caller_name"] == "'@evil"


async def test_export_asks_before_overwriting_and_explains_bad_paths(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call()
    existing = tmp_path / "calls.json"
    existing.write_text("old")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await export_to(pilot, app, str(tmp_path / "calls.txt"))
        message = app.screen.query_one("#export-message")
        await until(pilot, lambda: ".csv or .json" in str(message.render()), "the extension explained")
        (tmp_path / "folder.csv").mkdir()
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "folder.csv")
        await pilot.press("enter")
        await until(pilot, lambda: "folder" in str(message.render()), "the folder explained")
        (tmp_path / "link.csv").symlink_to(existing)
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "link.csv")
        await pilot.press("enter")
        await until(pilot, lambda: "symbolic link" in str(message.render()), "the link explained")
        app.screen.query_one("#export-path", Input).value = str(existing)
        await pilot.press("enter")
        await until(pilot, lambda: "exists" in str(message.render()), "the overwrite asked")
        assert isinstance(app.screen, ExportScreen) and existing.read_text() == "old"
        await pilot.press("enter")
        await until(pilot, lambda: "Exported" in notices(app), "the export")
        assert len(json.loads(existing.read_text())) == 1


async def test_the_path_is_checked_off_the_ui_thread(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []

    def watched(text: str) -> tuple[Path, str]:
        threads.append(threading.current_thread())
        return inspect_export_path(text)

    monkeypatch.setattr(export_screen, "inspect_export_path", watched)
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await export_to(pilot, app, str(tmp_path / "calls.csv"))
        await until(pilot, lambda: "Exported" in notices(app), "the export")
    assert threads and threading.main_thread() not in threads


async def test_a_missing_folder_keeps_the_prompt_open_with_the_typed_path(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call()
    typed = str(tmp_path / "no-such-folder" / "calls.csv")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await first_poll(app, pilot)
        await export_to(pilot, app, typed)
        message = app.screen.query_one("#export-message")
        await until(pilot, lambda: "No folder" in str(message.render()), "the reason")
        assert isinstance(app.screen, ExportScreen) and "Export failed" not in notices(app)
        assert app.screen.query_one("#export-path", Input).value == typed
        assert "pick another." in "\n".join(screen_lines(app))  # the whole reason shows at 80x24
        (tmp_path / "no-such-folder").mkdir()
        await pilot.press("enter")
        await until(pilot, lambda: "Exported" in notices(app), "the export once the folder is there")
        assert (tmp_path / "no-such-folder" / "calls.csv").exists()


@pytest.mark.parametrize(
    ("typed", "reason"), [("~calltui-no-such-user/a.csv", "no-such-user"), ("a\x00b.csv", "NUL")]
)
async def test_a_path_the_system_cannot_use_is_explained_in_the_prompt(
    sim: Simulator, make_app: Callable[..., CallTuiApp], typed: str, reason: str
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await export_to(pilot, app, typed)
        message = app.screen.query_one("#export-message")
        await until(pilot, lambda: reason in str(message.render()), "the reason")
        assert app.is_running and isinstance(app.screen, ExportScreen)


async def test_a_path_the_system_refuses_when_writing_is_reported(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        app._export(tmp_path / "a\x00b.csv", False)  # as if the prompt had let it through: os.open refuses
        await until(pilot, lambda: "Export failed" in notices(app), "the failure")
        assert "embedded null" in notices(app)  # "null byte" (3.11), "null character" (3.13)
        assert app.is_running


async def test_escape_cancels_the_export(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("x", "escape")
        assert app.screen is app.screen_stack[0]
        await pilot.pause()
        assert list(tmp_path.glob("calltui-export-*")) == []
