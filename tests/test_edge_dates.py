"""Dates Twilio may send at the edge of datetime's range (year 1, year 9999), shown in a local zone where
they do not exist: a dash or the UTC time, never an OverflowError (the details screen's worker would take the
app down with it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from conftest import FROZEN_NOW

from calltui.domain.actions import Redirect
from calltui.domain.call import Call
from calltui.domain.inspector import CallEvent, CallNotification, CallRecording
from calltui.ui.app import CallTuiApp
from calltui.ui.call_fields import call_fields
from calltui.ui.inspector_rows import event_rows, notification_rows, recording_rows
from calltui.ui.widgets.call_columns import clock_text

EDGES = {
    "west-of-utc": datetime(1, 1, 1, tzinfo=UTC),
    "east-of-utc": datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
}


@pytest.fixture
def edge(local_zone: str, request: pytest.FixtureRequest) -> datetime:
    """The date that falls outside datetime's range in `local_zone`."""
    moment = EDGES[request.node.callspec.id]
    with pytest.raises(OverflowError):  # the premise: this zone cannot show it
        moment.astimezone()
    return moment


def test_the_inspector_lists_show_a_dash(edge: datetime) -> None:
    [event] = event_rows([CallEvent(method="POST", date_created=edge)], FROZEN_NOW)
    [note] = notification_rows([CallNotification(message_date=edge)], FROZEN_NOW)
    [recording] = recording_rows([CallRecording(start_time=edge)], FROZEN_NOW)
    assert [str(row[0]) for row in (event, note, recording)] == ["—"] * 3
    assert str(event[1]) == "POST"


def test_the_fields_tab_falls_back_to_utc(edge: datetime) -> None:
    call = Call(sid="CA" + "a" * 32, start_time=edge, date_created=FROZEN_NOW)
    fields = dict(call_fields(call, FROZEN_NOW))
    assert fields["start_time"] == f"{edge:%Y-%m-%d %H:%M:%S} UTC"
    assert fields["date_created"].endswith("(12:00:00 UTC)")  # a date in range: local time, then UTC


def test_the_table_clock_shows_a_dash(edge: datetime) -> None:
    assert clock_text(edge, None) == "—"
    assert clock_text(FROZEN_NOW, UTC) == "12:00:00"


def test_a_previous_redirect_time_from_the_audit_log_shows_a_dash(
    edge: datetime, make_app: Callable[..., CallTuiApp]
) -> None:
    app = make_app()
    sid = "CA" + "1" * 32
    app.session.actions.redirects.remember(sid, Redirect(url="https://example.com/twiml"), edge)
    [(label, text)] = app.session.safety_notes(sid)
    assert label.startswith("previous redirect") and text.endswith(" at —")
