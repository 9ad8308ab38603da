"""The picture's pure parts: the activity history and its sparkline, calls by number, the export writer."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from calltui.domain.call import Call
from calltui.domain.numbers import count_by_number
from calltui.monitor.activity import ActivityHistory, Sample, active_count
from calltui.monitor.export import (
    COLUMNS,
    ExportPathError,
    call_record,
    csv_cell,
    default_export_path,
    resolve_export_path,
    write_export,
)
from calltui.monitor.poller import View
from calltui.ui.screens.numbers import status_columns
from calltui.ui.sparkline import BLOCKS, sparkline
from calltui.ui.widgets.status_header import HeaderModel, activity_text, header_text

T0 = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
SID = "CA" + "a" * 32


def sid(n: int) -> str:
    return f"CA{n:032x}"


# --------------------------------------------------------------------------- activity history


def test_history_keeps_only_the_most_recent_samples_oldest_first() -> None:
    history = ActivityHistory(size=120)
    for i in range(130):
        history.record(T0 + timedelta(seconds=i), i)
    assert len(history) == 120
    assert [s.active for s in history.samples] == list(range(10, 130))
    assert history.samples[0].at == T0 + timedelta(seconds=10)


def test_history_clamps_nonsense_counts() -> None:
    history = ActivityHistory(size=0)  # a size of 0 would keep nothing: at least one sample stays
    history.record(T0, -5)
    history.record(T0, 3)
    assert history.samples == (Sample(T0, 3),)
    history = ActivityHistory()
    history.record(T0, -5)
    assert history.samples == (Sample(T0, 0),)


def test_active_count_counts_only_live_statuses() -> None:
    statuses = ["queued", "ringing", "in-progress", "completed", "failed", None, "weird", "in-progress"]
    assert active_count(Call(sid(i), status=s) for i, s in enumerate(statuses)) == 4


# --------------------------------------------------------------------------- sparkline


def test_sparkline_scales_to_the_largest_value() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8) == BLOCKS
    assert sparkline([0, 14], 2) == "▁█"


def test_a_small_nonzero_value_never_looks_like_zero() -> None:
    assert sparkline([0, 1, 100], 3) == "▁▂█"


def test_sparkline_edges() -> None:
    assert sparkline([], 10) == ""
    assert sparkline([0, 0, 0], 10) == "▁▁▁"
    assert sparkline([1, 2, 3], 0) == ""
    assert sparkline([7, 0, 0, 0, 7], 2) == "▁█"  # only the last `width` values, scaled among themselves
    assert sparkline([-3, 5], 2) == "▁█"


# --------------------------------------------------------------------------- header


def samples(*values: int, step: float = 2.0) -> tuple[Sample, ...]:
    return tuple(Sample(T0 + timedelta(seconds=i * step), v) for i, v in enumerate(values))


def test_activity_line_shows_the_sparkline_and_the_figures() -> None:
    line = activity_text(HeaderModel(SID, activity=samples(1, 3, 2)), 120).plain
    assert line == "activity ▃█▆  now 2 · peak 3 · 4s"


def test_activity_line_before_the_first_poll() -> None:
    assert "waiting for the first poll" in activity_text(HeaderModel(SID), 80).plain


@pytest.mark.parametrize(("width", "expected_cells"), [(78, 78 - 9 - 31), (198, 120)])
def test_the_sparkline_takes_the_room_the_figures_leave(width: int, expected_cells: int) -> None:
    history = samples(*[i % 50 + 1000 for i in range(120)])
    line = activity_text(HeaderModel(SID, activity=history), width).plain
    spark = line.split()[1]
    assert set(spark) <= set(BLOCKS) and len(spark) == expected_cells
    assert len(line) <= width
    assert "now 1019 · peak 1049" in line


def test_the_activity_line_says_it_is_paused_in_the_ended_view() -> None:
    model = HeaderModel(SID, view=View.RECENT, activity=samples(1, 2))
    line = activity_text(model, 80).plain
    assert line.endswith("· paused in the ended view") and len(line) <= 80


def test_the_ended_view_counts_by_status() -> None:
    model = HeaderModel(SID, view=View.RECENT, counts={"completed": 9, "failed": 2, "busy": 1})
    first = header_text(model, T0).plain.splitlines()[0]
    assert "ended in the last hour  12: 9 completed, 1 busy, 2 failed" in first


# --------------------------------------------------------------------------- calls by number


def test_calls_are_grouped_by_number_biggest_first() -> None:
    flood = "+15550009999"
    calls = [Call(sid(i), status="ringing", from_=flood, to="+18005550199") for i in range(5)]
    calls += [Call(sid(10), status="in-progress", from_=flood, to="+18005550100")]
    calls += [Call(sid(11), status="in-progress", from_="+14155550100", to="+18005550100")]
    calls += [Call(sid(12), status=None, from_=None, to="+18005550100")]
    calls += [Call(sid(13), status="queued", from_="+10000000000", to=None)]
    by_from = count_by_number(calls, "from")
    assert [(g.number, g.total) for g in by_from] == [
        (flood, 6),
        ("+10000000000", 1),
        ("+14155550100", 1),
        (None, 1),
    ]
    assert by_from[0].by_status == {"ringing": 5, "in-progress": 1}
    assert by_from[3].by_status == {"": 1}
    by_to = count_by_number(calls, "to")
    assert [(g.number, g.total) for g in by_to] == [("+18005550199", 5), ("+18005550100", 3), (None, 1)]
    assert count_by_number([], "to") == []


def test_unknown_statuses_share_one_column() -> None:
    calls = [Call(sid(i), status=s) for i, s in enumerate(["in-progress", "queued", "\x1b[31mevil", None])]
    assert status_columns(calls) == ["queued", "in-progress", "other"]
    assert status_columns(calls[:2]) == ["queued", "in-progress"]


# --------------------------------------------------------------------------- export

FULL = Call(
    sid=SID,
    status="in-progress",
    direction="inbound",
    from_="+15550001111",
    to="sip:desk@example.com",
    caller_name="Alice",
    start_time=datetime(2026, 11, 28, 13, 0, 5, tzinfo=timezone(timedelta(hours=1))),
    date_created=T0,
    duration=65,
    queue_time=120,
    price="-0.01700",
    extra=(("new_field", "x"),),
)


def test_a_record_has_every_field_with_twilios_names_and_utc_times() -> None:
    record = call_record(FULL)
    assert list(record) == list(COLUMNS)
    assert len(COLUMNS) == len(fields(Call)) and "from" in COLUMNS and "from_" not in COLUMNS
    assert record["from"] == "+15550001111"
    assert record["start_time"] == "2026-11-28T12:00:05Z"
    assert record["date_created"] == "2026-11-28T12:00:00Z"
    assert record["end_time"] is None
    assert record["duration"] == 65
    assert record["extra"] == {"new_field": "x"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+15550001111", "'+15550001111"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "' =1+1"),  # the tab becomes a blank, and a blank does not hide the formula
        (" \r=1+1", "'  =1+1"),
        ("sip:\x1b[31mred\x1b[0m@example.com\u202e", "sip:red@example.com"),
        ("plain", "plain"),
        ("", ""),
        (None, ""),
        (-5, -5),
        ({}, ""),
        ({"k": "=x"}, '{"k": "=x"}'),
    ],
)
def test_csv_cells_are_inert_in_a_spreadsheet(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def hostile_calls() -> list[Call]:
    return [
        FULL,
        Call(
            sid(2),
            status="ringing",
            from_="=cmd|' /C calc'!A0",
            to="@SUM(1)",
            caller_name='Bob "the, builder"\nline two\x1b]0;title\x07',
            forwarded_from="-1",
        ),
        Call(sid(3)),
    ]


def test_csv_export_writes_one_row_per_call_in_order(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    assert write_export(path, hostile_calls()) == 3
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert [r["sid"] for r in rows] == [SID, sid(2), sid(3)]
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["start_time"] == "2026-11-28T12:00:05Z" and rows[0]["duration"] == "65"
    assert rows[0]["from"] == "'+15550001111" and rows[0]["price"] == "'-0.01700"
    assert rows[0]["extra"] == '{"new_field": "x"}'
    assert rows[1]["from"] == "'=cmd|' /C calc'!A0" and rows[1]["to"] == "'@SUM(1)"
    assert rows[1]["caller_name"] == 'Bob "the, builder" line two'
    assert rows[1]["forwarded_from"] == "'-1"
    assert all(v == "" for k, v in rows[2].items() if k != "sid")
    raw = path.read_bytes()
    assert b"\x1b" not in raw and b"\x07" not in raw
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_json_export_keeps_values_exactly(tmp_path: Path) -> None:
    path = tmp_path / "calls.JSON"
    assert write_export(path, hostile_calls()) == 3
    raw = path.read_text(encoding="ascii")  # ASCII only: escapes stay escaped if the file is cat'ed
    records = json.loads(raw)
    assert records == [call_record(call) for call in hostile_calls()]
    assert records[1]["caller_name"] == 'Bob "the, builder"\nline two\x1b]0;title\x07'
    assert records[1]["from"] == "=cmd|' /C calc'!A0"
    assert records[0]["start_time"] == "2026-11-28T12:00:05Z"
    assert records[2]["status"] is None


def test_export_of_nothing_writes_an_empty_table(tmp_path: Path) -> None:
    assert write_export(tmp_path / "e.csv", []) == 0
    assert (tmp_path / "e.csv").read_text().splitlines() == [",".join(COLUMNS)]
    assert write_export(tmp_path / "e.json", []) == 0
    assert json.loads((tmp_path / "e.json").read_text()) == []


def test_an_existing_file_is_replaced_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("keep me")
    with pytest.raises(FileExistsError):
        write_export(path, [FULL])
    assert path.read_text() == "keep me"
    write_export(path, [FULL], overwrite=True)
    assert SID in path.read_text()


def test_overwriting_narrows_the_mode_and_does_not_follow_a_link(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("old")
    path.chmod(0o644)
    write_export(path, [FULL], overwrite=True)
    assert path.stat().st_mode & 0o777 == 0o600  # it holds phone numbers
    target = tmp_path / "elsewhere.csv"
    target.write_text("keep me")
    (tmp_path / "link.csv").symlink_to(target)
    with pytest.raises(OSError):
        write_export(tmp_path / "link.csv", [FULL], overwrite=True)
    assert target.read_text() == "keep me"


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportPathError):
        write_export(tmp_path / "calls.xlsx", [FULL])
    assert not (tmp_path / "calls.xlsx").exists()


def test_export_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_export_path("  ~/x.json ") == tmp_path / "x.json"
    assert resolve_export_path("/tmp/a.CSV") == Path("/tmp/a.CSV")
    unusable = ("~calltui-no-such-user/a.csv", "a\x00b.csv")  # RuntimeError, ValueError below the prompt
    for bad in ("", "   ", "calls", "calls.txt", "calls.csv.bak", *unusable):
        with pytest.raises(ExportPathError):
            resolve_export_path(bad)
    assert default_export_path(T0) == "~/calltui-export-20261128-120000.csv"  # TZ=UTC in the tests
