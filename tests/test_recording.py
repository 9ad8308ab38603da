"""Session recordings: what the recorder writes is what the reader rebuilds, at any poll, from any file."""

from __future__ import annotations

import random
import sqlite3
import stat
import threading
import zlib
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from recording_helpers import ACCOUNT, T0, Session, sid

from calltui.domain.call import ALL_STATUSES, Call
from calltui.domain.diff import diff_calls
from calltui.domain.errors import CallNotLive, ServerError
from calltui.monitor.poller import PollResult, PollState, View
from calltui.monitor.recording import Recording, RecordingError, codec
from calltui.monitor.recording.codec import pack
from calltui.monitor.recording.format import DIFF, KEYFRAME, NO_DATA
from calltui.monitor.recording.writer import PAGE_CACHE_KIB


def a_call(n: int, rng: random.Random) -> Call:
    return Call(
        sid=sid(n),
        status=rng.choice(ALL_STATUSES),
        direction=rng.choice(["inbound", "outbound-api", None]),
        from_=f"+1555{rng.randrange(10**7):07}",
        to=rng.choice(["+18005550199", "sip:desk@pbx.example.com", None]),
        start_time=T0 - timedelta(seconds=rng.randrange(3600)),
        duration=rng.choice([None, rng.randrange(600)]),
        extra=(("annotation", "x"),) if n % 3 == 0 else (),
    )


def evolve(calls: dict[str, Call], rng: random.Random, next_sid: list[int]) -> dict[str, Call]:
    """One poll later: some calls change (a field may become unknown), some go, some arrive."""
    out = {}
    for key, call in calls.items():
        roll = rng.random()
        if roll < 0.15:
            continue
        if roll < 0.45:
            call = replace(call, status=rng.choice(ALL_STATUSES), duration=rng.choice([None, 7]), to=None)
        out[key] = call
    for _ in range(rng.randrange(4)):
        next_sid[0] += 1
        out[sid(next_sid[0])] = a_call(next_sid[0], rng)
    return out


def test_every_poll_is_rebuilt_exactly_by_seek_and_by_playing_on(tmp_path: Path) -> None:
    rng = random.Random(6)
    session = Session(tmp_path / "rec.db", keyframe_every=7)
    calls = {sid(n): a_call(n, rng) for n in range(10)}
    next_sid = [10]
    for i in range(120):
        session.at(2 * i)
        view = View.RECENT if 60 <= i < 70 else View.ACTIVE
        if rng.random() < 0.1:
            session.fail(ServerError("Service Unavailable", status=503), view)
        else:
            session.poll(calls, view)
            calls = evolve(calls, rng, next_sid)
    session.close()

    recording = Recording.open(tmp_path / "rec.db")
    assert len(recording.polls) == 120
    kinds = [mark.kind for mark in recording.polls]
    assert KEYFRAME in kinds and DIFF in kinds and NO_DATA in kinds
    assert kinds.index(KEYFRAME) == kinds.index(DIFF) - 1  # the first snapshot is a keyframe
    # A keyframe after at most 6 diffs: a seek reads at most 7 rows.
    data_kinds = [kind for kind in kinds if kind != NO_DATA]
    assert data_kinds[::7] == [KEYFRAME] * len(data_kinds[::7])
    assert all(kind == DIFF for i, kind in enumerate(data_kinds) if i % 7)
    for mark in recording.polls:
        assert (mark.error is not None) == (mark.kind == NO_DATA)
    assert {mark.error for mark in recording.polls if mark.error} == {"HTTP 503: Service Unavailable"}
    assert [mark.at for mark in recording.polls] == [T0 + timedelta(seconds=2 * i) for i in range(120)]
    assert [mark.view for mark in recording.polls[58:72]] == ["active"] * 2 + ["recent"] * 10 + ["active"] * 2
    assert recording.info.account_sid == ACCOUNT and recording.info.linger == 5.0

    for index in rng.sample(range(120), 120):  # seek in any order
        assert recording.snapshot(index) == session.shown[index], index
        mark = recording.polls[index]
        live = sum(call.is_active for call in session.shown[index].values())
        assert mark.active == (None if mark.error else live), index
    state: dict[str, Call] = {}
    for index in range(120):  # and play through
        before = dict(state)
        diff = recording.advance(state, index)
        assert state == session.shown[index], index
        assert diff == diff_calls(before, state) or recording.polls[index].kind == KEYFRAME
    recording.close()


def test_every_field_survives_including_hostile_text_and_fields_becoming_unknown(tmp_path: Path) -> None:
    full = Call(
        sid=sid(1),
        status="in-progress",
        direction="inbound",
        from_="\x1b[31m+1555\u202e0001\ud800",  # an escape, a bidi override, a lone surrogate
        to="<b>[red]x[/red]</b>",
        from_formatted="(555) 000-1111",
        to_formatted="☎ 😀",
        caller_name='O\'Brien "Bob"',
        forwarded_from="+15550000000",
        answered_by="human",
        parent_call_sid=sid(9),
        account_sid=ACCOUNT,
        phone_number_sid="PN" + "3" * 32,
        group_sid="GP1",
        trunk_sid="TK1",
        api_version="2010-04-01",
        date_created=T0,
        date_updated=T0 + timedelta(seconds=1),
        start_time=T0 + timedelta(microseconds=250),
        end_time=T0 + timedelta(days=400),
        duration=0,
        queue_time=1234,
        price="-0.0130",
        price_unit="USD",
        uri="/2010-04-01/Accounts/x/Calls/y.json",
        extra=(("a", "1"), ("z", '{"nested": true}')),
    )
    emptied = Call(sid=full.sid, status="completed")
    session = Session(tmp_path / "rec.db", keyframe_every=50)
    session.poll({full.sid: full})
    session.poll({full.sid: emptied})  # a change that makes every other field unknown
    session.poll({full.sid: full})
    session.close()
    with Recording.open(tmp_path / "rec.db") as recording:
        assert [m.kind for m in recording.polls] == [KEYFRAME, DIFF, DIFF]
        for index, expected in enumerate(session.shown):
            assert recording.snapshot(index) == expected


def test_actions_are_kept_like_audit_entries_without_secrets(tmp_path: Path) -> None:
    session = Session(tmp_path / "rec.db")
    session.poll({})
    session.at(3)
    session.act(sid(1), "redirect", {"Url": "https://ops:hunter2@example.com/twiml", "Method": "POST"})
    session.at(4)
    session.act(
        sid(2),
        "hangup",
        {"Status": "completed"},
        "failed",
        error=CallNotLive("Call is not in-progress. Cannot redirect.", code=21220, status=400),
    )
    session.close()
    assert b"hunter2" not in (tmp_path / "rec.db").read_bytes()
    with Recording.open(tmp_path / "rec.db") as recording:
        first, second = recording.actions
    assert first.at == T0 + timedelta(seconds=3) and first.call_sid == sid(1) and first.action == "redirect"
    assert first.parameters == {"Url": "https://ops:***@example.com/twiml", "Method": "POST"}
    assert (first.outcome, first.error_code, first.error) == ("ok", None, None)
    assert second.outcome == "failed" and second.error_code == 21220
    assert second.error == "Twilio 21220 / HTTP 400: Call is not in-progress. Cannot redirect."


def test_a_poll_discarded_by_a_view_switch_is_not_recorded(tmp_path: Path) -> None:
    session = Session(tmp_path / "rec.db")
    session.poll({sid(1): Call(sid(1), status="ringing")})
    session.recorder.poll(PollResult(PollState(), 0.0), T0, View.RECENT)  # what the poller returns then
    session.close()
    with Recording.open(tmp_path / "rec.db") as recording:
        assert len(recording.polls) == 1


def test_the_file_is_private_self_contained_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "rec.db"
    session = Session(path)
    session.poll({})
    session.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["rec.db"]  # no -wal / -shm left behind
    with pytest.raises(RecordingError, match=r"already exists; record to a new file$"):
        Session(path)
    (tmp_path / "blocker").write_text("a file where a folder should be")
    with pytest.raises(RecordingError, match=r"^cannot write the recording .*blocker/rec\.db: "):
        Session(tmp_path / "blocker" / "rec.db")


def test_the_writers_page_cache_is_small_whatever_the_files_size(tmp_path: Path) -> None:
    """Found by the soak bench: SQLite's default page cache (2,000 KiB) grew with the recording for
    minutes; an append-only writer needs a few pages."""
    session = Session(tmp_path / "rec.db")
    assert session.recorder._db is not None
    assert session.recorder._db.execute("PRAGMA cache_size").fetchone() == (-PAGE_CACHE_KIB,)
    assert PAGE_CACHE_KIB <= 256
    session.close()


def test_writes_stay_off_the_event_loop_and_are_batched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the writer thread is stuck on a slow disk, polls still return; then they land in one commit."""
    session = Session(tmp_path / "rec.db")
    recorder = session.recorder
    assert recorder._db is not None
    commits: list[str] = []
    recorder._db.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    disk = threading.Event()
    write = recorder._write

    def slow_write(db: sqlite3.Connection, item: object) -> None:
        assert threading.current_thread().name == "calltui-recorder"
        assert disk.wait(10)
        write(db, item)

    monkeypatch.setattr(recorder, "_write", slow_write)
    for i in range(30):
        session.at(i)
        session.poll({sid(i): Call(sid(i), status="queued")})  # returns although nothing is written yet
    disk.set()
    session.close()
    assert 1 <= len(commits) <= 3  # the first poll's batch, then the other 29 in one (and the close)
    with Recording.open(tmp_path / "rec.db") as recording:
        assert len(recording.polls) == 30


def write_raw(
    path: Path, *, version: int = 1, polls: list[tuple] | None = None, session: dict[str, str] | None = None
) -> None:
    Session(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = ?", (version,))
    db.executemany("UPDATE session SET value = ? WHERE key = ?", [(v, k) for k, v in (session or {}).items()])
    db.executemany(
        "INSERT INTO polls (seq, at, view, error, kind, data) VALUES (?, ?, ?, ?, ?, ?)", polls or []
    )
    db.commit()
    db.close()


GOOD_POLL = (0, T0.timestamp(), "active", None, KEYFRAME, pack([{"sid": sid(1), "status": "ringing"}]))


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, r"rec\.db: no such recording$"),
        (
            lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000),
            "not a calltui recording, or it is damaged",
        ),
        (
            lambda p: p.write_text("just text\n"),
            r"not a calltui recording, or it is damaged \(file is not a database\)",
        ),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE t (x)"), "not a calltui recording"),
        (
            lambda p: write_raw(p, version=2, polls=[GOOD_POLL]),
            r"recording format 2; this calltui reads format 1",
        ),
        (lambda p: write_raw(p), "the recording has no polls$"),
        (
            lambda p: write_raw(p, polls=[(0, "noon", "active", None, KEYFRAME, b"")]),
            "a time that is not a time",
        ),
        (
            lambda p: write_raw(p, polls=[(3, 1.0, "active", None, KEYFRAME, b"")]),
            "poll 0 is missing or malformed",
        ),
        # Near datetime's limits, the table's linger or the local clock would overflow.
        (
            lambda p: write_raw(p, polls=[(0, 253402300799.0, "active", None, KEYFRAME, b"")]),
            "a time that is not a time",
        ),
        (lambda p: write_raw(p, polls=[(0, -1.0, "active", None, KEYFRAME, b"")]), "not a time"),
    ],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rec.db"
    setup(path)
    with pytest.raises(RecordingError, match=message) as caught:
        Recording.open(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("linger", "inf"),  # the table's timedelta overflowed: a traceback instead of one line
        ("linger", "nan"),
        ("linger", "-1"),
        ("linger", "3601"),
        ("linger", "1e300"),
        ("interval", "0"),
        ("interval", "-inf"),
        ("interval", "two"),
        ("account_sid", "AC" + "1" * 32 + "\n"),  # the pattern's `$` lets a trailing newline through
        ("account_sid", "\x1b]0;owned\x07\x1b[2J"),  # shown in the header: escapes would reach the terminal
        ("account_sid", ""),
    ],
)
def test_session_settings_out_of_bounds_are_refused(tmp_path: Path, key: str, value: str) -> None:
    write_raw(tmp_path / "rec.db", polls=[GOOD_POLL], session={key: value})
    message = f"damaged recording: the (session's {key}|account SID) "
    with pytest.raises(RecordingError, match=message) as caught:
        Recording.open(tmp_path / "rec.db")
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)


def test_session_settings_within_bounds_are_kept(tmp_path: Path) -> None:
    write_raw(tmp_path / "rec.db", polls=[GOOD_POLL], session={"linger": "0", "interval": "86400"})
    with Recording.open(tmp_path / "rec.db") as recording:
        info = recording.info
    assert (info.account_sid, info.interval, info.linger) == (ACCOUNT, 86400, 0)


def test_a_truncated_recording_is_refused(tmp_path: Path) -> None:
    session = Session(tmp_path / "rec.db", keyframe_every=5)
    rng = random.Random(2)
    for i in range(200):
        session.at(i)
        session.poll({sid(n): a_call(n, rng) for n in range(i, i + 30)})
    session.close()
    data = (tmp_path / "rec.db").read_bytes()
    for cut in (100, 4096, len(data) // 2, len(data) - 4096):
        (tmp_path / "cut.db").write_bytes(data[:cut])
        with pytest.raises(RecordingError, match="damaged"):
            Recording.open(tmp_path / "cut.db")


def test_damaged_poll_data_is_an_error_when_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_raw(
        tmp_path / "rec.db",
        polls=[
            GOOD_POLL,
            (1, T0.timestamp() + 2, "active", None, DIFF, b"not zlib"),
            (2, T0.timestamp() + 4, "active", None, DIFF, pack({"c": [{"sid": sid(5), "status": "busy"}]})),
            (3, T0.timestamp() + 6, "active", None, DIFF, pack({"a": [{"sid": sid(6), "duration": "12"}]})),
            (4, T0.timestamp() + 8, "active", None, KEYFRAME, zlib.compress(b"[" * 100_000 + b"]" * 100_000)),
            (5, T0.timestamp() + 10, "active", None, KEYFRAME, zlib.compress(b" " * 300_000 + b"[]")),
            (6, T0.timestamp() + 12, "active", None, KEYFRAME, zlib.compress(b"[]")[:-3]),
        ],
    )
    monkeypatch.setattr(codec, "MAX_DATA", 250_000)  # stands for a zip bomb of gigabytes
    with Recording.open(tmp_path / "rec.db") as recording:
        assert recording.snapshot(0) == {sid(1): Call(sid(1), status="ringing")}
        with pytest.raises(RecordingError, match="poll data cannot be read"):
            recording.snapshot(1)
        with pytest.raises(RecordingError, match="a change to a call that is not there"):
            recording.advance({}, 2)
        with pytest.raises(RecordingError, match="a bad value for the call field 'duration'"):
            recording.advance({}, 3)
        with pytest.raises(RecordingError, match=r"poll data cannot be read \(RecursionError\)"):
            recording.snapshot(4)
        with pytest.raises(RecordingError, match="poll data too large"):
            recording.snapshot(5)
        with pytest.raises(RecordingError, match=r"poll data cannot be read \(error\)"):
            recording.snapshot(6)


def test_polls_after_an_account_switch_name_that_account_and_start_from_a_keyframe(tmp_path: Path) -> None:
    other = "AC" + "2" * 32
    session = Session(tmp_path / "rec.db")
    session.poll({sid(1): Call(sid(1), status="in-progress")})
    session.at(2)
    session.switch(other)
    session.poll({sid(2): Call(sid(2), status="ringing")})
    session.close()
    with Recording.open(tmp_path / "rec.db") as recording:
        assert [mark.account_sid for mark in recording.polls] == [None, other]
        assert [mark.kind for mark in recording.polls] == [KEYFRAME, KEYFRAME]
        assert set(recording.snapshot(1)) == {sid(2)}


def test_a_malformed_account_in_a_poll_is_refused(tmp_path: Path) -> None:
    session = Session(tmp_path / "rec.db")
    session.poll({})
    session.close()
    db = sqlite3.connect(tmp_path / "rec.db")
    db.execute("UPDATE polls SET account = ?", ("AC" + "2" * 32 + "\n",))
    db.commit()
    db.close()
    with pytest.raises(RecordingError, match="account SID"):
        Recording.open(tmp_path / "rec.db")


def test_the_recorder_reuses_the_pollers_diff_rather_than_diffing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(3)
    first = {sid(n): a_call(n, rng) for n in range(8)}
    second = evolve(first, rng, [8])
    third = evolve(second, rng, [20])
    taken: list[int] = []

    def counted(old: dict[str, Call], new: dict[str, Call]):  # type: ignore[no-untyped-def]
        taken.append(len(new))
        return diff_calls(old, new)

    monkeypatch.setattr(codec, "diff_calls", counted)  # the encoder the writer uses
    session = Session(tmp_path / "rec.db")
    for before, after in (({}, first), (first, second)):
        result = PollResult(PollState(last_ok=T0), 2.0, diff_calls(before, after), after, before)
        session.recorder.poll(result, T0, View.ACTIVE)
    # A diff from another snapshot than the writer's last (a view switch emptied the poller's): taken again.
    session.recorder.poll(
        PollResult(PollState(last_ok=T0), 2.0, diff_calls({}, third), third, {}), T0, View.ACTIVE
    )
    session.close()
    assert taken == [len(third)]
    recording = Recording.open(tmp_path / "rec.db")
    assert [recording.snapshot(i) for i in range(3)] == [first, second, third]
    recording.close()
