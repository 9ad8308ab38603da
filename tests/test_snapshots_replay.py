"""Screenshot of the replay screen: a recorded session paused on its fourth poll, after two actions (the
first with its proof of effect).

Update it after an intended change with `pytest tests/test_snapshots_replay.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from recording_helpers import T0, Session, sid
from textual.pilot import Pilot
from uihelpers import until

from calltui.domain.call import Call
from calltui.domain.errors import CallNotLive, ServerError
from calltui.monitor.recording import Recording
from calltui.monitor.verify import Verdict
from calltui.ui.replay.app import ReplayApp


def call(n: int, status: str, from_: str, to: str, age: int, direction: str = "inbound") -> Call:
    started = T0 - timedelta(seconds=age)
    return Call(sid(n), status=status, direction=direction, from_=from_, to=to, start_time=started)


@pytest.fixture
def replay(tmp_path: Path) -> Iterator[ReplayApp]:
    session = Session(tmp_path / "incident.db")
    calls = {
        c.sid: c
        for c in (
            call(1, "in-progress", "+14155550100", "+18005550199", 300),
            call(2, "in-progress", "client:alice", "+442071838750", 95, "outbound-api"),
            call(3, "ringing", "+14155550123", "sip:desk-7@pbx.example.com", 10, "outbound-dial"),
            call(4, "queued", "+15105550111", "+18005550199", 3),
        )
    }
    session.poll(calls)
    session.at(2)
    calls[sid(5)] = call(5, "ringing", "+15105550111", "+18005550199", -2)
    session.poll(calls)
    session.at(3)
    session.act(sid(3), "redirect", {"Url": "https://example.com/twiml/maintenance.xml", "Method": "POST"})
    session.at(4)
    session.fail(ServerError("Service Unavailable", status=503))
    session.at(4.5)
    verdict = Verdict(sid(3), "redirect", False, "11200 HTTP retrieval failure", (11200,))
    session.recorder.verdict(verdict, session.now)
    session.at(5)
    session.act(
        sid(4),
        "hangup",
        {"Status": "canceled"},
        "failed",
        error=CallNotLive("Call is not in-progress. Cannot redirect.", code=21220, status=400),
    )
    session.at(6)
    del calls[sid(1)]
    calls[sid(3)] = replace(calls[sid(3)], status="in-progress")
    session.poll(calls)
    for second in (8, 10, 12, 14, 16, 18, 20):
        session.at(second)
        session.poll(calls)
    session.close()
    recording = Recording.open(tmp_path / "incident.db")
    yield ReplayApp(recording, source="incident.db", autoplay=False, monotonic=lambda: 0.0)
    recording.close()


def test_replay_screen(snap_compare, replay: ReplayApp) -> None:  # type: ignore[no-untyped-def]
    async def to_the_fourth_poll(pilot: Pilot) -> None:
        await pilot.press("full_stop", "full_stop", "full_stop")
        await until(pilot, lambda: not replay.loading, "the fourth poll's calls")
        await pilot.pause()

    assert snap_compare(replay, terminal_size=(120, 24), run_before=to_the_fourth_poll)
