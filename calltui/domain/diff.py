"""The difference between two polls, keyed by call SID."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from calltui.domain.call import Call


@dataclass(frozen=True, slots=True)
class PollDiff:
    added: tuple[Call, ...] = ()
    changed: tuple[Call, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def index_calls(calls: Iterable[Call]) -> dict[str, Call]:
    """Calls by SID; a SID seen twice (pages shifting under a poll) keeps its last record."""
    return {call.sid: call for call in calls}


def diff_calls(old: Mapping[str, Call], new: Mapping[str, Call]) -> PollDiff:
    """What changed from `old` to `new`. Equal records (dataclass equality) are not reported."""
    added: list[Call] = []
    changed: list[Call] = []
    for sid, call in new.items():
        before = old.get(sid)
        if before is None:
            added.append(call)
        elif before is not call and before != call:  # most are the very same (the parse cache)
            changed.append(call)
    removed = tuple(sid for sid in old if sid not in new)
    return PollDiff(tuple(added), tuple(changed), removed)
