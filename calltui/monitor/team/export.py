"""The team's streams as a session recording: `calltui replay --team` plays every responder's actions and
the team's polls on one timeline, and the file it writes is the export (replayed later like any other).

Entries are read back as untrusted: a malformed one is skipped, a feed gap waits for the next keyframe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from calltui.monitor.actions import ActionOutcome
from calltui.monitor.poller import PollResult, PollState, View
from calltui.monitor.recording import SqliteRecorder
from calltui.monitor.recording.codec import apply_poll
from calltui.monitor.recording.format import RecordingError
from calltui.monitor.team.link import TeamLink
from calltui.monitor.team.wire import BadEntry, Keys, decode_action, decode_feed
from calltui.secret import Secret

EXPORT_TIMEOUT = 10.0
"""Seconds the export's reads may take (the action stream holds up to about 10,000 entries)."""


@dataclass(frozen=True, slots=True)
class Exported:
    polls: int
    actions: int
    skipped: int
    """Entries that could not be read, and feed entries after a gap (until the next keyframe)."""


async def export_team(url: Secret, account_sid: str, path: Path, *, interval: float = 2.0) -> Exported:
    """Write the account's team streams to a new recording at `path`. Raises TeamUnavailable when Redis
    cannot be read, RecordingError when the file cannot be written (an existing file is never replaced)."""
    link = TeamLink(url, timeout=EXPORT_TIMEOUT)
    keys = Keys(account_sid)
    try:
        feed = await link.call(lambda r: r.xrange(keys.feed))
        actions = await link.call(lambda r: r.xrange(keys.actions))
    finally:
        await link.close()
    recorder = SqliteRecorder(path, account_sid=account_sid, interval=interval, linger=5.0)
    recorder.open()
    try:
        return _write(recorder, feed, actions, interval)
    finally:
        recorder.close()


def _write(recorder: SqliteRecorder, feed: list[Any], actions: list[Any], interval: float) -> Exported:
    timeline = sorted(
        [(_moment(entry_id), 0, fields) for entry_id, fields in feed]
        + [(_moment(entry_id), 1, fields) for entry_id, fields in actions],
        key=lambda item: (item[0], item[1]),
    )
    state: dict[str, Any] = {}
    follow: tuple[str, int] | None = None
    polls = written = skipped = 0
    for at, stream, fields in timeline:
        try:
            if stream == 1:
                step = decode_action(fields)
                parameters = {"operator": step.who, "step": step.kind}
                result = step.result or step.kind
                action = step.action
                if step.kind == "verify":  # a row of its own, as a session's own recording has it
                    action, parameters = "verify", {**parameters, "action": step.action}
                recorder.action(ActionOutcome(step.call_sid, action, parameters, result), at)
                written += 1
                continue
            entry = decode_feed(fields)
            in_order = follow is not None and entry.epoch == follow[0] and entry.seq == follow[1] + 1
            if not (entry.keyframe or in_order):
                follow = None
                skipped += 1
                continue
            before = dict(state)
            diff = apply_poll(state, entry.keyframe, entry.data)
            follow = (entry.epoch, entry.seq)
            recorder.poll(
                PollResult(PollState(last_ok=at), interval, diff, dict(state), before), at, View.ACTIVE
            )
            polls += 1
        except (BadEntry, RecordingError):
            skipped += 1
            if stream == 0:
                follow, state = None, {}
    return Exported(polls, written, skipped)


def _moment(entry_id: object) -> datetime:
    """A stream entry's time: its id's milliseconds, on Redis's clock."""
    text = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
    return datetime.fromtimestamp(int(text.split("-", 1)[0]) / 1000, UTC)
