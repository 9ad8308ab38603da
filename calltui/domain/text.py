"""Making untrusted text safe to show: no control characters, no escape sequences, bounded length.

Markup is not handled here: the UI never parses network text as markup (it builds `rich.text.Text`).
"""

from __future__ import annotations

import re
import unicodedata

# CSI / OSC / other ESC sequences first, so their parameters do not survive as visible junk.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_MAX = 256


def clean(value: object, limit: int = _MAX) -> str:
    """`value` as one printable line: escapes and control/format characters removed, bounded length."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) <= limit and value.isascii() and value.isprintable():
        return value  # nearly every value Twilio sends: nothing to remove, so skip the scan
    text = _ANSI.sub("", str(value))
    text = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
