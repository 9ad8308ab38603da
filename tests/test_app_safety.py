"""Safety nets for actions: the grace window (`u` cancels), proof of effect, the previous redirect, dry run.

Time moves only when a test moves the conftest Clock and calls the app's safety tick, so nothing here
depends on how fast the machine is.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from audit_helpers import audit_lines, intent_lines
from conftest import ACCOUNT_SID, make_settings
from sim_helpers import Clock, posts
from uihelpers import first_poll, hang_up_while, nothing_sent, until

from calltui.domain.actions import Hangup, Redirect
from calltui.domain.errors import ReadOnlyViolation
from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditEntry, AuditLog, read_entries
from calltui.monitor.redirects import RedirectMemory
from calltui.simulator import Simulator
from calltui.ui.app import CallTuiApp
from calltui.ui.screens.details import DetailsScreen
from calltui.ui.screens.redirect import RedirectScreen

SIZE = (120, 30)
UNREACHABLE = "http://127.0.0.1:9/twiml.xml"  # the discard port: nothing listens, the fetch fails at once


def notices(app: CallTuiApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def noticed(pilot, app: CallTuiApp, text: str) -> None:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: text in notices(app), f"a notification saying {text!r}")


def bar_text(app: CallTuiApp) -> str:
    bar = app.query_one("#pending")
    return str(bar.render()) if bar.display else ""


async def let_go(pilot, sid: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app lets go of call `sid`: an action's outcome line is on disk (the writer's thread)
    a moment before the app's worker hears so and lets go, and until then `r` or `h` only says an action
    is in flight."""
    app = pilot.app
    await until(pilot, lambda: not app.session.held(sid), f"the action on {sid} to finish")


async def redirect(pilot, url: str) -> None:  # type: ignore[no-untyped-def]
    """`r` on the highlighted call, the URL, Enter. Pressed while the call's last action was still in
    flight, `r` would open nothing and the URL's letters would reach the table as keys (`h`, Enter: a
    hang-up)."""
    app = pilot.app
    await let_go(pilot, app.table.highlighted_sid)
    await pilot.press("r")
    assert isinstance(app.screen, RedirectScreen)
    await pilot.press(*url, "enter")


# --------------------------------------------------------------------------------------- grace window


@pytest.mark.parametrize(
    ("status", "doing"), [("in-progress", "Hanging up"), ("ringing", "Hanging up unanswered")]
)
async def test_the_countdown_shows_and_u_cancels_so_nothing_is_sent(
    sim: Simulator,
    clock: Clock,
    make_app: Callable[..., CallTuiApp],
    tmp_path: Path,
    status: str,
    doing: str,
) -> None:
    """Ending a ringing call sends Status=canceled, and its bar said "Canceling CA… press u to cancel"."""
    sid = sim.add_call(status=status)["sid"]
    app = make_app(grace=3)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        assert f"{doing} {sid[:6]}…{sid[-4:]} in 3… press u to cancel" in bar_text(app)
        clock.advance(1.2)
        app._safety_tick()
        assert "in 2…" in bar_text(app)
        await pilot.press("u")
        assert bar_text(app) == ""
        assert "Canceled, nothing sent: hang-up of" in notices(app)
        clock.advance(10)
        app._safety_tick()
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 1, "the cancellation in the audit log")
        await pilot.pause()
        await nothing_sent(pilot, sim)
        [entry] = audit_lines(tmp_path)
        assert entry["outcome"] == "canceled-by-user" and entry["action"] == "hangup"
        assert sim.call(sid)["status"] == status


async def test_the_action_is_sent_exactly_once_when_the_window_ends(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    app = make_app(grace=3)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        await pilot.press("h")  # a second hang-up of the same call is refused while the first waits
        assert "still waiting or in flight" in notices(app)
        clock.advance(2.9)
        app._safety_tick()
        await pilot.pause()
        await nothing_sent(pilot, sim)
        clock.advance(0.2)
        app._safety_tick()
        app._safety_tick()
        await until(pilot, lambda: app.table.lingering(sid), "the hang-up")
        clock.advance(5)
        app._safety_tick()
        await pilot.pause()
        assert len(posts(sim)) == 1 and posts(sim)[0].form == {"Status": "completed"}
        assert bar_text(app) == ""


async def test_a_ringing_call_answered_in_the_grace_window_is_hung_up_as_in_progress(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    """Confirmed while it rang, the hang-up was fixed as Status=canceled, which Twilio ignores for a call
    in progress: a call answered before the window ended went on, and the audit said `ok`."""
    sid = sim.add_call(status="ringing")["sid"]
    app = make_app(grace=3)
    async with app.run_test(size=SIZE) as pilot:
        await hang_up_while(app, pilot, clock.advance, lambda: sim.move_call(sid, "in-progress"))
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 1, "the hang-up's outcome")
        assert [post.form for post in posts(sim)] == [{"Status": "completed"}]
        assert sim.call(sid)["status"] == "completed"
        [intent] = intent_lines(tmp_path)
        assert intent["parameters"] == {"Status": "completed"}


async def test_u_cancels_the_newest_of_several_waiting_actions(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    first = sim.add_call(status="in-progress")["sid"]
    clock.advance(1)
    second = sim.add_call(status="in-progress")["sid"]
    app = make_app(grace=3)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert app.table.move_cursor_to(first)
        await pilot.press("h", "y")
        assert app.table.move_cursor_to(second)
        await redirect(pilot, "https://example.com/hold.xml")
        text = bar_text(app)
        assert "Hanging up" in text and "Redirecting" in text and "(the newest first)" in text
        await pilot.press("u")  # takes back the redirect, the newest
        assert "Redirecting" not in bar_text(app) and "Hanging up" in bar_text(app)
        clock.advance(3)
        app._safety_tick()
        await until(pilot, lambda: len(posts(sim)) == 1, "the hang-up")
        assert posts(sim)[0].path.endswith(f"/Calls/{first}.json")
        await until(pilot, lambda: app.table.badge(first) == "…", "the hang-up to finish")


async def test_grace_zero_sends_at_once_and_u_has_nothing_to_cancel(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    app = make_app(grace=0)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        await until(pilot, lambda: app.table.badge(sid) == "…", "the hang-up, without any wait")
        assert len(posts(sim)) == 1
        assert bar_text(app) == ""
        await pilot.press("u")
        assert "Nothing is waiting to be sent" in notices(app)
        assert len(posts(sim)) == 1


async def test_u_is_in_the_help_and_the_palette_but_not_in_read_only(
    sim: Simulator, make_app: Callable[..., CallTuiApp]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert (
            "u",
            "Undo: cancel the newest action or bulk run still in its grace window",
        ) in app._key_help()
        assert any(c.title.startswith("Undo") for c in app.get_system_commands(app.screen))
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert "u" not in [key for key, _ in app._key_help()]
        assert not any(c.title.startswith("Undo") for c in app.get_system_commands(app.screen))


# --------------------------------------------------------------------------------------- proof of effect


async def test_a_hang_up_is_verified_by_a_follow_up_fetch(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("h", "y")
        await until(pilot, lambda: app.table.badge(sid) == "…", "the check to start")
        gets = len([r for r in sim.requests if r.method == "GET" and r.path.endswith(f"{sid}.json")])
        clock.advance(2)
        app._safety_tick()
        await until(pilot, lambda: app.table.badge(sid) == "✓", "the verdict")
        assert len([r for r in sim.requests if r.method == "GET" and r.path.endswith(f"{sid}.json")]) > gets
        await noticed(pilot, app, "verified: call completed")
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 2, "the verify entry")
        verify = audit_lines(tmp_path)[1]
        assert verify["action"] == "verify" and verify["outcome"] == "verified"
        assert verify["parameters"] == {"action": "hangup"} and verify["call_sid"] == sid


async def test_a_cancel_that_lands_on_an_answered_call_is_not_verified(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    """The table showed the call ringing, so calltui sent Status=canceled; it had been answered meanwhile,
    and canceled leaves a call in progress alone. The check says so instead of calling it done."""
    sid = sim.add_call(status="ringing")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        sim.set_call(sid, status="in-progress")
        await pilot.press("h", "y")
        await until(pilot, lambda: len(posts(sim)) == 1, "the cancel")
        assert posts(sim)[0].form == {"Status": "canceled"}
        await until(pilot, lambda: app.table.badge(sid) == "…", "the check to start")
        for _ in range(3):
            clock.advance(2)
            app._safety_tick()
            await pilot.pause()
        assert app.table.badge(sid) == "…"  # still in progress, still within the half minute
        clock.advance(30)
        await until(pilot, lambda: _ticked(app) and app.table.badge(sid) == "✗", "the failed verdict")
        await noticed(pilot, app, "not verified: still in-progress after 30s")
        await until(pilot, lambda: audit_lines(tmp_path)[-1]["action"] == "verify", "the verify entry")
        assert audit_lines(tmp_path)[-1]["outcome"] == "not-verified"


def _ticked(app: CallTuiApp) -> bool:
    app._safety_tick()
    return True


async def test_a_redirect_whose_url_fails_is_not_verified_with_twilios_code(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await redirect(pilot, UNREACHABLE)
        await pilot.press("enter")  # plain http: confirm the warning
        await until(pilot, lambda: len(posts(sim)) == 1, "the redirect")
        await sim.settle()
        assert [n["error_code"] for n in sim.log.records("notifications", sid)] == ["11200"]
        await until(pilot, lambda: app.table.badge(sid) == "…", "the check to start")
        clock.advance(10)
        app._safety_tick()
        await until(pilot, lambda: app.table.badge(sid) == "✗", "the failed verdict")
        await noticed(pilot, app, "not verified: 11200 HTTP retrieval failure")
        await until(pilot, lambda: audit_lines(tmp_path)[-1]["action"] == "verify", "the verify entry")
        entry = audit_lines(tmp_path)[-1]
        assert entry["outcome"] == "not-verified" and entry["error_code"] == 11200


async def test_a_redirect_with_no_error_for_a_minute_is_verified(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp]
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await redirect(pilot, f"{sim.base_url}/twiml/hold")  # served by the simulator: always fetched
        await pilot.press("enter")  # plain http: confirm the warning
        await until(pilot, lambda: app.table.badge(sid) == "…", "the check to start")
        await sim.settle()
        clock.advance(10)
        app._safety_tick()
        await until(pilot, lambda: _checked(app), "an early look")
        assert app.table.badge(sid) == "…"  # no error yet, but the minute is not over
        clock.advance(51)
        app._safety_tick()
        await until(pilot, lambda: app.table.badge(sid) == "✓", "the verdict")
        await noticed(pilot, app, "verified: no error from Twilio in 60s")


def _checked(app: CallTuiApp) -> bool:
    return not any(c.running for c in app.session.verifier._checks.values())


# --------------------------------------------------------------------------------------- previous redirect


async def test_the_previous_redirect_is_audited_shown_and_offered_to_go_back(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r", *"https://example.com/a.xml", "tab", "right", "enter")  # method GET
        app.screen.query_one("#target").focus()
        await pilot.press("enter")
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 1, "the first redirect")
        assert "previous_url" not in audit_lines(tmp_path)[0]
        await redirect(pilot, "https://example.com/b.xml")
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 2, "the second redirect")
        assert audit_lines(tmp_path)[1]["previous_url"] == "https://example.com/a.xml"

        await pilot.press("enter")
        assert isinstance(app.screen, DetailsScreen)
        table = app.screen.query_one("#details-fields")
        rows = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert rows["previous redirect (by calltui)"].startswith("https://example.com/b.xml (POST) at 12:00")
        assert rows["the one before (by calltui)"].startswith("https://example.com/a.xml (GET) at ")
        await pilot.press("escape")

        await let_go(pilot, sid)
        await pilot.press("r")
        assert isinstance(app.screen, RedirectScreen)
        history = app.screen.query_one("#history")
        assert str(history.get_option_at_index(0).prompt) == (
            "↩ back to previous (GET): https://example.com/a.xml"
        )
        history.focus()
        history.highlighted = 0
        await pilot.press("enter")
        assert app.screen.query_one("#target").value == "https://example.com/a.xml"
        assert app.screen.method == "GET"
        app.screen.query_one("#target").focus()
        await pilot.press("enter")
        await until(pilot, lambda: len(posts(sim)) == 3, "the redirect back")
        assert posts(sim)[2].form == {"Url": "https://example.com/a.xml", "Method": "GET"}
        assert posts(sim)[2].path.endswith(f"/Calls/{sid}.json")
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 3, "the last audit entry")
        assert audit_lines(tmp_path)[2]["previous_url"] == "https://example.com/b.xml"
        await until(pilot, lambda: app.table.badge(sid) == "…", "the action to finish")


async def test_a_previous_redirect_read_from_the_log_with_a_masked_password_is_not_offered(
    sim: Simulator, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    log = AuditLog(tmp_path / "audit.jsonl")  # an earlier session's redirects of this call
    for url in ("https://ops:hunter2@a.example/t.xml", "https://b.example/t.xml"):
        log.append(AuditEntry("2026-11-28T11:00:00+00:00", ACCOUNT_SID, sid, "redirect", {"Url": url}, "ok"))
    log.close()
    app = make_app()
    app.session.actions.redirects = RedirectMemory.from_audit(
        read_entries(tmp_path / "audit.jsonl")
    )  # as run.py
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        await pilot.press("r")
        assert isinstance(app.screen, RedirectScreen)
        assert not app.screen.query("#history")  # no "↩ back to previous" to https://ops:***@a.example


# --------------------------------------------------------------------------------------- dry run


async def test_a_dry_run_prompts_and_audits_but_sends_nothing(
    sim: Simulator, clock: Clock, make_app: Callable[..., CallTuiApp], tmp_path: Path
) -> None:
    sid = sim.add_call(status="in-progress")["sid"]
    app = make_app(dry_run=True, grace=2)
    async with app.run_test(size=SIZE) as pilot:
        await first_poll(app, pilot)
        assert "DRY-RUN" in str(app.query_one("#status").render())
        await pilot.press("h", "y")
        assert bar_text(app).startswith("DRY-RUN Hanging up")
        clock.advance(2)
        app._safety_tick()
        # The entry is on disk (from the writer's thread) a moment before the action lets go of the call.
        await until(
            pilot,
            lambda: len(audit_lines(tmp_path)) == 1 and not app.session.held(sid),
            "the hang-up's audit entry",
        )
        await redirect(pilot, "https://example.com/rehearse.xml")
        clock.advance(2)
        app._safety_tick()
        await until(pilot, lambda: len(audit_lines(tmp_path)) == 2, "the redirect's audit entry")
        assert [(e["action"], e["outcome"]) for e in audit_lines(tmp_path)] == [
            ("hangup", "dry-run"),
            ("redirect", "dry-run"),
        ]
        assert "DRY-RUN" in "\n".join(str(n.title) for n in app._notifications)
        assert "Nothing sent" in notices(app)
        await pilot.pause()
        assert posts(sim) == []  # the simulator never saw a write
        assert sim.call(sid)["status"] == "in-progress"
        assert app.table.badge(sid) is None  # nothing was sent, so nothing to verify


async def test_the_gateway_refuses_writes_in_a_dry_run_as_a_backstop(sim: Simulator) -> None:
    assert sim.base_url
    sid = sim.add_call(status="in-progress")["sid"]
    gateway = TwilioGateway(make_settings(sim.base_url, dry_run=True))
    try:
        with pytest.raises(ReadOnlyViolation, match="dry-run"):
            await gateway.hangup(sid, Hangup())
        with pytest.raises(ReadOnlyViolation, match="dry-run"):
            await gateway.redirect(sid, Redirect(url="https://example.com/x"))
        assert (await gateway.fetch(sid)).status == "in-progress"  # reads still work
    finally:
        await gateway.close()
    assert posts(sim) == []
