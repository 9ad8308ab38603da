"""The footer: Textual's, with the keys an engineer must always find (help, quit) pinned to the right
edge, so a narrow terminal leaves out other keys, never these, and never shows a key cut in half."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PINNED = frozenset({"help", "quit"})


class PinnedFooter(Footer):
    """A footer whose `?` and `q` keys (and the command palette's) stay on screen at any width."""

    DEFAULT_CSS = """
    PinnedFooter {
        & > #pinned {
            dock: right;
            width: auto;
            padding-left: 1;
            background: $footer-background;
        }
        & > #pinned FooterKey.-command-palette {
            dock: none;
        }
    }
    """

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        pinned = [
            key
            for key in keys
            if isinstance(key, FooterKey) and (key.action in PINNED or key.has_class("-command-palette"))
        ]
        yield from (key for key in keys if key not in pinned)
        if pinned:
            yield HorizontalGroup(*pinned, id="pinned")
        self.call_after_refresh(self._leave_out_cut_keys)

    def on_resize(self) -> None:
        for key in self.query_children(FooterKey):
            key.display = True  # wider again: every key gets its chance
        self.call_after_refresh(self._leave_out_cut_keys)

    def _leave_out_cut_keys(self) -> None:
        """Hide each key that does not fit whole before the pinned ones."""
        edge = self.region.right
        for pinned in self.query_children("#pinned"):
            edge = pinned.region.x
        for key in self.query_children(FooterKey):
            if key.region.right > edge:
                key.display = False
