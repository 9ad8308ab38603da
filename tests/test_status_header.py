"""The header's layout: parts give way by priority, numbers are never cut, what does not fit wraps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rich.text import Text

from calltui.domain.errors import GatewayError
from calltui.monitor.activity import Sample
from calltui.monitor.poller import PollState, View
from calltui.ui.widgets.status_header import HeaderModel, Part, fit_parts, header_lines

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
SID = "AC" + "1" * 32
COUNTS = {"queued": 2, "ringing": 13, "in-progress": 320}
ACTIVITY = tuple(Sample(NOW - timedelta(seconds=2 * i), 300 + i % 9) for i in range(120))[::-1]


def lines(model: HeaderModel, width: int) -> list[str]:
    return [line.plain for line in header_lines(model, NOW, width)]


@pytest.mark.parametrize("width", [60, 78, 118, 198])
@pytest.mark.parametrize("extras", [{}, {"read_only": True, "dry_run": True, "label": "PRODUCTION"}])
def test_every_count_is_whole_at_any_width(width: int, extras: dict) -> None:
    model = HeaderModel(
        SID,
        friendly_name="Acme Support (prod)",
        profile="profile prod",
        counts=COUNTS,
        poll=PollState(last_ok=NOW),
        alerts=12,
        filter_text="in-progress",
        shown=320,
        activity=ACTIVITY,
        **extras,
    )
    shown = lines(model, width)
    assert all(len(line) <= width for line in shown), shown
    text = " ".join(shown)
    for figure in ("2 queued", "13 ringing", "320 in-progress", "12 ALERTS", "320 shown", "AC1111…1111"):
        assert figure in text, shown


def test_the_least_important_gives_way_first() -> None:
    model = HeaderModel(SID, friendly_name="Acme", profile="profile prod", counts=COUNTS)
    full = lines(model, 200)[0]
    assert "· profile prod" in full and "Acme" in full and "active calls  2 queued" in full
    narrower = lines(model, len(full) - 1)
    assert "profile prod" not in narrower[0] and "Acme" in narrower[0]  # the profile goes before the name


def test_a_stale_reason_outlasts_the_counts_label() -> None:
    error = GatewayError("Service Unavailable", code=20503, status=503)
    poll = PollState(last_ok=NOW - timedelta(seconds=2), error=error, failures=1)
    [first, _] = lines(HeaderModel(SID, counts={"ringing": 1}, poll=poll), 118)
    assert "STALE 2s" in first and "Service Unavailable" in first and "1 ringing" in first


def test_a_part_that_cannot_shrink_goes_to_the_next_line_whole() -> None:
    """What another item added to the header gets: never cut, moved down instead."""
    parts = [Part((Text("x" * 50),)), Part((Text("LOUD 12345"),))]
    first, second = fit_parts(parts, 55)
    assert first.plain == "x" * 50 and second.plain == "LOUD 12345"


def test_the_ended_view_keeps_its_label_short_but_never_loses_it() -> None:
    model = HeaderModel(SID, view=View.RECENT, counts={"completed": 9, "failed": 2})
    [first, _] = lines(model, 60)
    assert "ended 1h 11: 9 completed, 2 failed" in first


ENDED = {"completed": 40, "busy": 3, "no-answer": 117, "failed": 9, "canceled": 2}


@pytest.mark.parametrize("width", [60, 78, 80, 118, 198])
def test_every_recent_end_is_counted_whole_at_any_width(width: int) -> None:
    error = GatewayError("Service Unavailable", code=20503, status=503)
    poll = PollState(last_ok=NOW - timedelta(seconds=2), error=error, failures=1)
    model = HeaderModel(
        SID, friendly_name="Acme", counts=COUNTS, ended=ENDED, poll=poll, alerts=2, activity=ACTIVITY
    )
    shown = lines(model, width)
    assert all(len(line) <= width for line in shown), shown
    text = " ".join(shown)
    figures = ("320 in-progress", "40 completed", "3 busy", "117 no-answer", "9 failed", "2 canceled")
    for figure in (*figures, "2 ALERTS", "STALE"):
        assert figure in text, shown


def test_recent_ends_show_only_in_the_live_view_and_only_when_some_call_ended() -> None:
    assert (
        "ended in the last minute  117 no-answer" in lines(HeaderModel(SID, ended={"no-answer": 117}), 200)[0]
    )
    assert "ended" not in lines(HeaderModel(SID, ended={}), 200)[0]
    assert "minute" not in lines(HeaderModel(SID, view=View.RECENT, ended={"busy": 1}), 200)[0]
