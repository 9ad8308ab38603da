"""Reading the calls of a poll for the replay. It queries SQLite and decodes JSON, so the app runs it in a
thread: a seek on a large recording takes a noticeable fraction of a second, the event loop none of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from calltui.domain.call import Call
from calltui.domain.diff import PollDiff
from calltui.monitor.recording import Recording

#: Moving forward by up to this many polls replays their diffs (ended calls linger as they did live);
#: any other move rebuilds the table from the nearest keyframe.
REPLAY_MAX = 20


@dataclass(frozen=True, slots=True)
class Loaded:
    """What the table needs to go from the poll it shows to poll `index`."""

    index: int
    calls: dict[str, Call]
    """Every call at poll `index`; never changed once loaded."""
    steps: tuple[tuple[int, PollDiff | dict[str, Call]], ...]
    """Per poll, its diff, or every call when the table starts over (a seek, or a view switch as live)."""


def load(recording: Recording, calls: Mapping[str, Call], shown: int, target: int) -> Loaded:
    """Poll `target`, given `calls` at poll `shown` (-1: none yet); `calls` is only read. Raises
    RecordingError."""
    if not 0 <= shown < target <= shown + REPLAY_MAX:
        state = recording.snapshot(target)
        return Loaded(target, state, ((target, state),))
    polls = recording.polls
    state = dict(calls)
    steps: list[tuple[int, PollDiff | dict[str, Call]]] = []
    for index in range(shown + 1, target + 1):
        diff = recording.advance(state, index)
        steps.append((index, dict(state) if polls[index].view != polls[index - 1].view else diff))
    return Loaded(target, state, tuple(steps))
