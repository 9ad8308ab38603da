"""Lets go of what Textual and Rich keep of frames long gone: two caches that only grow for a while.

`StylesCache.get_inner_outer` is an `lru_cache` on a method (Textualize/textual#6665, open in Textual
8.2.8): each of its 1,024 entries is keyed by a widget's `StylesCache` and keeps it alive, with every line
that widget last rendered, after the widget is removed. Each hang-up dialog opened and closed left ~6
entries and ~45 KB (the soak bench: ~7 MB before the cache is full, after ~160 dialogs). Emptying it
costs the widgets on screen two `Style`s each, made again at their next paint.

Rich's `cached_cell_len` (which Textual measures every line with) keeps the last 4,096 texts of up to 511
characters it measured: a row's line is new each time its call changes or its duration ticks, so the
cache fills with lines never measured again, ~1.8 MB held once full (tracemalloc); the soak bench (a 0.1 s
poll) filled it in 80 s, a 2 s poll in minutes. Measuring a 200-character line again costs ~3 µs.
"""

from __future__ import annotations

from rich.cells import cached_cell_len
from textual._styles_cache import StylesCache


def trim_render_caches() -> None:
    """Empty both caches (what is still on screen comes back as it repaints); the app calls this once a
    second, so they hold a second's worth of entries, not minutes'."""
    StylesCache.get_inner_outer.cache_clear()
    cached_cell_len.cache_clear()
