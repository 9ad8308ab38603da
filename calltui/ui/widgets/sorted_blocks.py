"""`SortedBlocks`: a sorted sequence that stays cheap to change at 50,000 items.

One sorted Python list costs O(items) per insertion or removal (the memmove behind it) and a re-sort per
batch: at 50,000 calls a poll that moves 3,000 rows spent 30-60 ms of the event loop on that alone. Here
the items live in blocks of at most `2 * LOAD`, found by bisecting each block's largest item, so a change
moves at most one block's tail (the layout of the `sortedcontainers` package, cut to what the table needs:
a dependency of its own cost start-up 30-45 ms of imports). Positions come from the blocks' start offsets,
rebuilt in O(blocks) after a change, when a position is first asked for.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from itertools import accumulate, chain, islice
from typing import Any, Generic, TypeVar

T = TypeVar("T", bound=Any)  # items must compare with each other (`<`)

LOAD = 1000
"""Items per block when blocks are built; a block splits in two past twice this."""


class SortedBlocks(Generic[T]):
    """Distinct items kept in ascending order; positions are 0-based over the whole sequence."""

    def __init__(self, items: Iterable[T] = ()) -> None:
        ordered = sorted(items)
        self._blocks: list[list[T]] = [ordered[i : i + LOAD] for i in range(0, len(ordered), LOAD)]
        self._maxes: list[T] = [block[-1] for block in self._blocks]
        self._len = len(ordered)
        self._starts: list[int] | None = None
        """Where each block starts; None after a change until a position is asked for."""

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[T]:
        return chain.from_iterable(self._blocks)

    def add(self, item: T) -> None:
        blocks, maxes = self._blocks, self._maxes
        self._len += 1
        self._starts = None
        if not blocks:
            blocks.append([item])
            maxes.append(item)
            return
        i = bisect.bisect_left(maxes, item)
        if i == len(blocks):  # beyond every block: the last one grows
            i -= 1
            blocks[i].append(item)
            maxes[i] = item
        else:
            bisect.insort(blocks[i], item)
        if len(blocks[i]) > 2 * LOAD:
            block = blocks[i]
            blocks[i : i + 1] = [block[:LOAD], block[LOAD:]]
            maxes[i : i + 1] = [block[LOAD - 1], block[-1]]

    def remove(self, item: T) -> None:
        """Take `item` out; ValueError if it is not there."""
        i, j = self._find(item)
        block = self._blocks[i]
        del block[j]
        self._len -= 1
        self._starts = None
        if block:
            self._maxes[i] = block[-1]
        else:
            del self._blocks[i], self._maxes[i]

    def index(self, item: T) -> int:
        """The position of `item`; ValueError if it is not there."""
        i, j = self._find(item)
        return self._offsets()[i] + j

    def __getitem__(self, index: int) -> T:
        """The item at `index` (0..len-1; negative indexes are not supported)."""
        if not 0 <= index < self._len:
            raise IndexError(index)
        starts = self._offsets()
        i = bisect.bisect_right(starts, index) - 1
        return self._blocks[i][index - starts[i]]

    def slice(self, start: int, stop: int) -> list[T]:
        """Items at positions start..stop-1 (clamped), in order."""
        start, stop = max(0, start), min(self._len, stop)
        if start >= stop:
            return []
        starts = self._offsets()
        i = bisect.bisect_right(starts, start) - 1
        items = chain([self._blocks[i][start - starts[i] :]], self._blocks[i + 1 :])
        return list(islice(chain.from_iterable(items), stop - start))

    def _find(self, item: T) -> tuple[int, int]:
        i = bisect.bisect_left(self._maxes, item)
        if i < len(self._blocks):
            block = self._blocks[i]
            j = bisect.bisect_left(block, item)
            if j < len(block) and block[j] == item:
                return i, j
        raise ValueError(item)

    def _offsets(self) -> list[int]:
        if self._starts is None:
            self._starts = list(accumulate((len(block) for block in self._blocks[:-1]), initial=0))
        return self._starts
