"""The filter box under the table: an input whose keys (Enter keeps the filter, Esc clears it) are in the
footer while it has the focus, which otherwise hid every key but `/`."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


class FilterBox(Input):
    BINDINGS = [
        Binding("enter", "submit", "Keep filter", key_display="⏎"),
        Binding("escape", "app.clear_filter", "Clear filter", key_display="esc"),
    ]
