"""The footer: Textual's, with the keys an engineer must always find (help, quit) pinned to the right
edge, so a narrow terminal leaves out other keys, never these, and never shows a key cut in half."""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PINNED = frozenset({"help", "quit"})


class PinnedFooter(Footer):
    """A footer whose `?` and `q` keys (and the command palette's) stay on screen at any width."""

    _composed: Hashable = ()
    """The keys it was last composed from (see `_keys_shown`)."""

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
        # Textual's footer shows no key until the screen first reports its bindings, a refresh after it
        # mounts: the first frame had no keys, and the frame with them waited behind the twilio SDK's
        # import, which starts after the first frame. The bindings are known here: keys in the first frame.
        self.set_reactive(Footer._bindings_ready, True)
        self._composed = self._keys_shown()
        keys = list(super().compose())
        pinned = [
            key
            for key in keys
            if isinstance(key, FooterKey) and (key.action in PINNED or key.has_class("-command-palette"))
        ]
        yield from (key for key in keys if key not in pinned)
        if pinned:
            yield HorizontalGroup(*pinned, id="pinned")

    async def recompose(self) -> None:
        # Textual recomposes on every change of the screen's bindings, focus moving among widgets with the
        # same keys included (twice as calltui starts, ~30 ms each): only a change of the keys shown does.
        if self._keys_shown() == self._composed:
            return
        await super().recompose()
        self._forget_removed_keys()
        self._leave_out_cut_keys()  # the keys are mounted and styled: measured before the next paint

    def _keys_shown(self) -> Hashable:
        """What Textual's footer makes its keys from (see `Footer.compose`)."""
        return tuple(
            (binding.key, binding.action, binding.description, binding.group, enabled, tooltip,
             self.app.get_key_display(binding))
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )  # fmt: skip

    def _forget_removed_keys(self) -> None:
        """Textual binds each key's `compact` to the footer's and drops a binding only when `compact`
        changes, which it never does here: every recompose (each screen pushed or popped) would keep a
        footer's worth of removed keys alive for good (the soak bench found ~8 per hang-up dialog)."""
        watchers = getattr(self, "__watchers", {}).get("compact")
        if watchers:
            watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]

    def on_resize(self) -> None:
        self._leave_out_cut_keys()

    def _leave_out_cut_keys(self) -> None:
        """Show the keys left to right while each fits whole before the pinned ones; hide the rest."""
        room = self.size.width
        for group in self.query_children("#pinned"):
            room -= group.styles.gutter.width + sum(map(self._width, group.query_children(FooterKey)))
        for key in self.query_children(FooterKey):
            room -= self._width(key)
            key.display = room >= 0

    def _width(self, key: Widget) -> int:
        viewport = self.app.size
        return key.get_content_width(viewport, viewport) + key.styles.gutter.width + key.styles.margin.width
