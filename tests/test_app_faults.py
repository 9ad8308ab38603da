"""The monitor under faults: stale but standing, backing off, honest about actions, never leaking a secret."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from audit_helpers import audit_lines
from conftest import ACCOUNT_SID, AUTH_TOKEN
from sim_helpers import assert_no_secret
from uihelpers import first_poll, poll, table_text, until

from calltui.domain.errors import AuthError
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp

SIZE = (120, 30)


def header(app: CallTuiApp) -> str:
    return str(app.query_one("#status").render())


def notices(app: CallTuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


@pytest.mark.parametrize(
    ("kind", "params", "shown"),
    [
        ("status", {"status": 503, "message": "Service Unavailable"}, "HTTP 503"),
        ("status", {"status": 500}, "HTTP 500"),
        ("status", {"status": 502, "message": "Bad Gateway"}, "HTTP 502"),
        ("rate_limit", {"retry_after": 7}, "429"),
        ("rate_limit", {}, "429"),
        ("malformed", {"body": "<html>oops"}, "STALE"),
        ("drop", {}, "STALE"),
        ("next_page_loop", {}, "STALE"),
        ("next_page_404", {}, "STALE"),
    ],
)
async def test_a_failing_poll_keeps_the_table_marks_it_stale_and_recovers(
    sim: Simulator, make_app: Callable[..., CallTuiApp], kind: str, params: dict, shown: str
) -> None:
    sids = {sim.add_call()["sid"] for _ in range(3)}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        if kind.startswith("next_page"):
            for _ in range(60):  # enough calls for a second page of one status bucket
                sim.add_call()
        sim.faults.add(kind, **params)
        await poll(app, pilot)
        assert set(app.table.visible_sids) >= sids  # the last good table stays
        assert "STALE" in header(app) and shown in header(app)
        assert app.session.poller.state.failures == 1 and math.isfinite(
            app.session.poller.state.retry_at.timestamp()
        )
        sim.faults.clear()
        await poll(app, pilot)
        assert "STALE" not in header(app) and "updated" in header(app)
        assert app.session.poller.state.failures == 0


async def test_retry_after_sets_the_next_poll(
    sim: Simulator, make_app: Callable[..., CallTuiApp], clock
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add("rate_limit", retry_after=7)
        await poll(app, pilot)
        wait = (app.session.poller.state.retry_at - clock()).total_seconds()
        assert 7 <= wait <= 8
        assert "retry in 7s" in header(app)


async def test_a_slow_api_times_out_into_a_stale_state(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app(request_timeout=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add("latency", seconds=2, times=3)
        await poll(app, pilot)
        assert "STALE" in header(app)
        assert app.table.row_count == 1


async def test_connection_refused_then_the_api_comes_back(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call()["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        port = int(sim.base_url.rsplit(":", 1)[1])
        await sim.stop()
        await poll(app, pilot)
        assert "STALE" in header(app) and app.table.visible_sids == [sid]
        await sim.start("127.0.0.1", port)
        await poll(app, pilot)
        assert "STALE" not in header(app)


async def test_refused_credentials_stop_polling_until_the_engineer_resumes(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sim.add_call()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add("auth")  # the token was rotated
        await poll(app, pilot)
        assert isinstance(app.session.poller.state.error, AuthError) and app.session.poller.state.stopped
        assert "STOPPED" in header(app) and "20003" in header(app)
        requests = len(sim.requests)
        for _ in range(20):
            await pilot.pause(0.01)
        assert len(sim.requests) == requests  # no hammering
        sim.faults.clear()
        await poll(app, pilot)  # ctrl+r
        assert not app.session.poller.state.stopped and "STOPPED" not in header(app)


@pytest.mark.parametrize(
    ("kind", "params", "outcome"),
    [
        ("latency", {"seconds": 2}, "unknown"),
        ("status", {"status": 500}, "unknown"),
        ("status", {"status": 503}, "unknown"),
        ("rate_limit", {"retry_after": 1}, "failed"),
        ("drop", {}, "unknown"),
    ],
)
async def test_a_failing_action_is_reported_honestly_and_never_resent(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path, kind: str, params: dict, outcome: str
) -> None:
    sim.add_call()
    app = make_app(request_timeout=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.faults.add(kind, method="POST", **params)
        await pilot.press("h", "y")
        await until(pilot, lambda: bool(audit_lines(tmp_path)), "the audit entry")
        [entry] = audit_lines(tmp_path)
        assert entry["outcome"] == outcome
        if outcome == "unknown":
            await until(pilot, lambda: "UNKNOWN" in notices(app), "the unknown-outcome notice")
        for _ in range(30):
            await pilot.pause(0.02)
        assert len([r for r in sim.requests if r.method == "POST"]) == 1


async def test_no_secret_reaches_screen_audit_or_errors_after_a_run_with_faults(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sim.add_call(caller_name="Eve")
    app = make_app(request_timeout=0.3)
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        for kind, params in [
            ("auth", {}),
            ("status", {"status": 500}),
            ("latency", {"seconds": 1}),
            ("malformed", {}),
            ("rate_limit", {"retry_after": 1}),
        ]:
            sim.faults.clear()
            sim.faults.add(kind, **params)
            await poll(app, pilot)
            error = app.session.poller.state.error
            seen += [str(error), repr(error), repr(error.__dict__), header(app)]
            await pilot.press("h", "y")
            await pilot.pause(0.1)
            seen.append(app.export_screenshot())
        seen.append(notices(app))
        await pilot.press("enter")
        await pilot.pause(0.2)
        seen.append(app.export_screenshot())
    seen.append((tmp_path / "audit.jsonl").read_text())
    seen.append(repr(app.session.gateway.__dict__))
    assert_no_secret(seen, ACCOUNT_SID, AUTH_TOKEN)


@pytest.mark.not_twilio
async def test_odd_and_hostile_values_are_shown_literally(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    hostile = sim.add_call(
        from_="[link=https://evil.example]click[/link]",
        to="sip:\x1b[31mred\x1b[0m@example.com",
        caller_name="[/bold]",
        direction="sideways",
    )["sid"]
    nulls = sim.add_call()["sid"]
    sim.set_call(nulls, start_time=None, duration=None, to=None, from_=None, price=None, date_created=None)
    app = make_app()
    async with app.run_test(size=(200, 24)) as pilot:
        await first_poll(app, pilot)
        assert app.table.row_count == 2
        shown = table_text(app)
        assert "[link=https://evil.example]click[/link]" in shown
        assert "sip:red@example.com" in shown and "\x1b" not in shown
        assert all(len(line) == 200 for line in shown.splitlines())
        app.table.move_cursor_to(hostile)
        await pilot.press("enter")
        await until(pilot, lambda: "Fetched" in str(app.screen.query_one("#details-state").render()), "fetch")
        assert app.is_running
