"""Lets go of what Textual keeps of widgets that are gone (Textualize/textual#6665, open in Textual 8.2.8).

`StylesCache.get_inner_outer` is an `lru_cache` on a method: each of its 1,024 entries is keyed by a
widget's `StylesCache` and keeps it alive, with every line that widget last rendered, after the widget
is removed. Each hang-up dialog opened and closed left ~6 entries and ~45 KB (the soak bench: ~7 MB
before the cache is full, after ~160 dialogs). Emptying the cache costs the widgets on screen two
`Style`s each, made again at their next paint.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache


def forget_removed_widgets() -> None:
    """Empty Textual's `get_inner_outer` cache (its live entries come back as widgets repaint)."""
    StylesCache.get_inner_outer.cache_clear()
