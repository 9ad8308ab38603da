"""The footer: Textual's, with the keys an engineer must always find (help, quit) pinned to the right
edge, so a narrow terminal leaves out other keys, never these, and never shows a key cut in half."""

from __future__ import annotations

from collections.abc import Hashable

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

PINNED = frozenset({"help", "quit"})


class PinnedFooter(Footer):
    """A footer whose `?` and `q` keys (and the command palette's) stay on screen at any width."""

    _composed: Hashable = None
    """The keys it was last composed from (see `_keys_shown`); None before they are mounted."""
    _keys_mounted = False

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
        & > .sketch {
            width: 1fr;
        }
    }
    """

    def compose(self) -> ComposeResult:
        # Textual's footer shows no key until the screen first reports its bindings, a refresh after it
        # mounts: the first frame had no keys, and the frame with them waited behind the twilio SDK's
        # import, which starts after the first frame. The bindings are known here: keys in the first frame.
        self.set_reactive(Footer._bindings_ready, True)
        if not self._keys_mounted:
            # The first frame has the keys as one line of text: ten key widgets, each styled with its
            # parts, were ~35 ms of CPU before calltui's first frame. They are mounted right after it.
            self.call_after_refresh(self._mount_keys)
            yield Static(self._sketch(self.app.size.width), classes="sketch")
            return
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
        if not self.is_attached or self._keys_shown() == self._composed:  # gone: its screen was closed
            return
        await super().recompose()
        self._forget_removed_keys()
        self._leave_out_cut_keys()  # the keys are mounted and styled: measured before the next paint

    async def _mount_keys(self) -> None:
        self._keys_mounted = True
        await self.recompose()

    def _sketch(self, width: int) -> Text:
        """The line the key widgets draw, as text: the keys that fit whole on the left, the pinned ones on
        the right, styled as the theme styles the widgets. The keys are chosen as `Footer.compose` chooses
        them (calltui's bindings have no groups)."""
        variables = self.app.get_css_variables()
        key_style = _theme_style(variables, "footer-key") + Style(bold=True)
        description_style = _theme_style(variables, "footer-description")

        def drawn(binding: Binding, enabled: bool) -> Text:
            text = Text().append(self.app.get_key_display(binding), key_style)
            if binding.description:
                text.append(" " + binding.description, description_style)
            if not enabled:
                text.stylize("dim")
            return text.append(" ")

        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool]] = {}
        for _, binding, enabled, _tooltip in active.values():
            if binding.show:
                shown.setdefault(binding.action, (binding, enabled))
        right = Text(" ")
        for action, (binding, enabled) in shown.items():
            if action in PINNED:
                right.append_text(drawn(binding, enabled))
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            right.append("▏", _bar_style(variables)).append_text(drawn(palette.binding, palette.enabled))
        left = Text()
        room = width - right.cell_len
        for action, (binding, enabled) in shown.items():
            if action in PINNED:
                continue
            part = drawn(binding, enabled)
            if left.cell_len + part.cell_len > room:
                break
            left.append_text(part)
        return left.append(" " * (room - left.cell_len)).append_text(right)

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


def _theme_style(variables: dict[str, str], name: str) -> Style:
    """The theme's `{name}-foreground` on `{name}-background` (transparent: the footer's own)."""
    color, bgcolor = (
        None if color is None or color.a == 0 else color.rich_color
        for color in (_theme_color(variables, f"{name}-{part}") for part in ("foreground", "background"))
    )
    return Style(color=color, bgcolor=bgcolor)


def _bar_style(variables: dict[str, str]) -> Style:
    """The command palette key's left border: the theme's foreground at 20 % over the footer."""
    background = _theme_color(variables, "footer-background")
    foreground = _theme_color(variables, "foreground")
    if background is None or foreground is None:
        return Style(dim=True)
    return Style(color=background.blend(foreground, 0.2).rich_color)


def _theme_color(variables: dict[str, str], name: str) -> Color | None:
    try:
        return Color.parse(variables.get(name, ""))
    except ColorParseError:
        return None
