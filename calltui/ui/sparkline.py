"""A sparkline as block characters: one terminal cell per value. Pure: no Textual."""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int], width: int) -> str:
    """The last `width` values, scaled so the largest fills its cell. Zero is the lowest block and any
    other value at least the second, so "a few" never looks like "none"."""
    shown = list(values[-width:]) if width > 0 else []
    top = max(shown, default=0)
    if top <= 0:
        return BLOCKS[0] * len(shown)
    steps = len(BLOCKS) - 1
    return "".join(BLOCKS[0 if v <= 0 else max(1, round(v * steps / top))] for v in shown)
