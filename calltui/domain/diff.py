"""The difference between two polls, keyed by call SID."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from calltui.domain.call import Call


@dataclass(frozen=True, slots=True)
class PollDiff:
    added: tuple[Call, ...] = ()
    changed: tuple[Call, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def parts(self, size: int) -> Iterator[PollDiff]:
        """This diff in pieces of at most `size` entries, in its order (added, changed, removed): applied
        one after the other they do what the whole does, and whoever applies them can pause between."""
        size = max(1, size)
        added, changed = len(self.added), len(self.changed)
        total = added + changed + len(self.removed)
        if total <= size:
            yield self
            return
        for start in range(0, total, size):
            stop = start + size
            yield PollDiff(
                self.added[start:stop],
                self.changed[max(0, start - added) : max(0, stop - added)],
                self.removed[max(0, start - added - changed) : max(0, stop - added - changed)],
            )


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
