"""The domain's pure rules: diffs, input checks, text cleaning, elapsed time."""

from datetime import UTC, datetime, timedelta

import pytest

from calltui.domain.actions import ActionInputError, Hangup, Redirect, build_redirect
from calltui.domain.call import Call, format_elapsed
from calltui.domain.diff import PollDiff, diff_calls, index_calls
from calltui.domain.text import clean

SID = "CA" + "a" * 32
NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


def test_diff_reports_added_changed_removed_and_ignores_equal() -> None:
    a, b, c = Call(SID[:-1] + "1", "ringing"), Call(SID[:-1] + "2", "in-progress"), Call(SID[:-1] + "3")
    old = index_calls([a, b])
    new = index_calls([Call(a.sid, "in-progress"), b, c])
    d = diff_calls(old, new)
    assert [x.sid for x in d.added] == [c.sid]
    assert [x.status for x in d.changed] == ["in-progress"]
    assert d.removed == ()
    assert diff_calls(new, index_calls([c])).removed == (a.sid, b.sid)
    assert not diff_calls(new, new)


def test_a_diff_in_parts_is_the_whole_in_order_in_pieces_of_at_most_the_size() -> None:
    calls = [Call(sid=f"CA{n:032x}") for n in range(7)]
    diff = PollDiff(added=tuple(calls[:3]), changed=tuple(calls[3:]), removed=("CA1", "CA2", "CA3"))
    for size in (1, 2, 4, 10):
        parts = list(diff.parts(size))
        assert all(len(p.added) + len(p.changed) + len(p.removed) <= size for p in parts)
        assert [c for p in parts for c in p.added] == list(diff.added)
        assert [c for p in parts for c in p.changed] == list(diff.changed)
        assert [s for p in parts for s in p.removed] == list(diff.removed)
        assert len(parts) == -(-10 // size)
    assert list(diff.parts(10)) == [diff]


def test_index_keeps_one_record_per_duplicated_sid() -> None:
    assert index_calls([Call(SID, "ringing"), Call(SID, "in-progress")]) == {SID: Call(SID, "in-progress")}


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "/relative/path",
        "ftp://example.com/x",
        "example.com/twiml",
        "https://",
        "https://a b.com/x",
        "https://example.com/" + "x" * 5000,
        "javascript:alert(1)",
        "https://u:p@example.com:abc/x",  # a port that is not a number
        "https://u:p@[::1/x",  # an unclosed IPv6 bracket
        "https://example.com:99999/x",  # a port out of range
    ],
)
def test_bad_redirect_urls_are_refused_before_sending(raw: str) -> None:
    with pytest.raises(ActionInputError):
        build_redirect(raw)


def test_redirect_url_is_trimmed_and_plain_http_warns() -> None:
    redirect, warnings = build_redirect("  https://example.com/twiml  ", "GET")
    assert redirect == Redirect(url="https://example.com/twiml", method="GET")
    assert warnings == []
    assert redirect.parameters() == {"Url": "https://example.com/twiml", "Method": "GET"}
    _, warnings = build_redirect("http://example.com/twiml")
    assert warnings and "http" in warnings[0]


@pytest.mark.parametrize(
    "raw", ["<Response><Say>hi</Response>", "<Hangup/>", "<Response>" + "x" * 5000 + "</Response>"]
)
def test_bad_inline_twiml_is_refused(raw: str) -> None:
    with pytest.raises(ActionInputError):
        build_redirect(raw)


def test_inline_twiml_is_accepted() -> None:
    redirect, _ = build_redirect("<Response><Hangup/></Response>")
    assert redirect.parameters() == {"Twiml": "<Response><Hangup/></Response>"}


def test_hangup_status_follows_call_state() -> None:
    assert Call(SID, "ringing").end_status == "canceled"
    assert Call(SID, "queued").end_status == "canceled"
    assert Call(SID, "in-progress").end_status == "completed"
    assert Hangup("canceled").parameters() == {"Status": "canceled"}


def test_clean_removes_escapes_and_controls_and_bounds_length() -> None:
    assert clean("\x1b[31mred\x1b[0m") == "red"
    assert clean("a\x00b\x07c\u202ed") == "abcd"
    assert clean("line\nbreak") == "line break"
    assert clean("[bold]x[/bold]") == "[bold]x[/bold]"
    assert clean(None) == ""
    assert len(clean("x" * 1000, limit=10)) == 10
    assert clean("😀 名前 é") == "😀 名前 é"


def test_elapsed_counts_live_calls_and_uses_twilio_duration_once_ended() -> None:
    live = Call(SID, "in-progress", start_time=NOW - timedelta(seconds=65))
    assert live.elapsed(NOW) == 65
    assert format_elapsed(live.elapsed(NOW)) == "1:05"
    ended = Call(SID, "completed", start_time=NOW - timedelta(hours=2), duration=3723)
    assert format_elapsed(ended.elapsed(NOW)) == "1:02:03"
    assert Call(SID).elapsed(NOW) is None
    assert format_elapsed(None) == "—"
