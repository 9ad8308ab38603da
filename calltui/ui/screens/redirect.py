"""The redirect prompt: a TwiML URL (or inline TwiML), a method, presets from config.toml, recent targets.

A preset is picked with its digit (1-9) while the target line is empty or still shows a preset: a URL or
TwiML never starts with a digit, so the keys work with the line focused in any terminal. Picking fills
the line and the method; Enter sends it after the same checks as typed input.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from calltui.domain.actions import ActionInputError, Redirect, build_redirect
from calltui.domain.call import Call
from calltui.domain.text import clean
from calltui.monitor.redirects import SentRedirect
from calltui.ui.describe import call_line
from calltui.userconfig import Preset

PRESET_KEYS = 9
"""Presets 1-9 have a digit key; any further ones are picked from the list."""
_DIGITS = frozenset(str(n) for n in range(1, PRESET_KEYS + 1))


class TargetInput(Input):
    """The target line. It lets the screen's digit bindings see 1-9 first: Textual drops bindings for keys
    a focused Input would type, and the screen gives the digit back (check_action) when no preset applies."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key not in _DIGITS and super().check_consume_key(key, character)


def one_line(text: str) -> str:
    """`text` cleaned, its whitespace runs (TwiML written over several lines) folded to one space."""
    return " ".join(clean(text, max(1, len(text))).split())


def preset_option(number: int, preset: Preset) -> Text:
    """`1  maintenance message   POST https://…`: key, name, then what it sends (dim)."""
    text = Text(f"{number if number <= PRESET_KEYS else ' '}  ", style="bold")
    text.append(clean(preset.name, 40))
    target = f"TwiML {preset.twiml}" if preset.twiml is not None else f"{preset.method} {preset.url}"
    text.append(f"   {clean(one_line(target), 80)}", style="dim")
    return text


class RedirectScreen(ModalScreen[Redirect | None]):
    """Dismisses with the checked Redirect to send, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", priority=True),
        # Priority: seen before the focused Input types the digit; check_action lets it through otherwise.
        *(Binding(n, f"preset({n})", f"Preset {n}", show=False, priority=True) for n in sorted(_DIGITS)),
    ]

    def __init__(
        self,
        call: Call | str,
        now: datetime,
        history: list[str],
        presets: tuple[Preset, ...] = (),
        *,
        previous: SentRedirect | None = None,
        stale: str | None = None,
    ) -> None:
        """`call`: the call to redirect, or a description of the calls (a bulk redirect).
        `previous`: where calltui had sent the call before its latest redirect, offered first as "back".
        `stale`: a warning that the table's data is old (polls failing), shown under the call."""
        super().__init__()
        self._call = call
        self._stale = stale
        self._now = now
        self._previous = previous
        if previous is not None:
            history = [previous.target, *(h for h in history if h != previous.target)]
        self._history = history
        self._presets = presets
        self._method = "POST"
        self._acknowledged: str | None = None
        """A target whose warnings were shown once; Enter again sends it."""
        self._filled: tuple[str, str] | None = None
        """(as shown on the line, as configured) for the last preset picked: TwiML may span lines."""

    def compose(self) -> ComposeResult:
        # The message and the keys come right under the line typed in, the lists after them: on a small
        # terminal the lists scroll, and what the prompt has to say is never below the fold.
        with VerticalScroll(id="dialog", classes="dialog"):
            if isinstance(self._call, str):
                title, subject = "Redirect calls", self._call
            else:
                title, subject = "Redirect call", call_line(self._call, self._now)
            yield Label(title, classes="dialog-title")
            yield Static(Text(subject), id="redirect-call")
            if self._stale:
                yield Static(Text(self._stale), classes="dialog-message warning")
            yield TargetInput(
                placeholder="https://example.com/twiml  or  <Response>…</Response>", id="target"
            )
            yield Static("", id="redirect-message", classes="dialog-message")
            yield Static(Text("Enter sends · Esc cancels · a URL or inline TwiML"), id="redirect-keys")
            with RadioSet(id="method"):
                yield RadioButton("POST", value=True, id="method-post")
                yield RadioButton("GET", id="method-get")
            if self._presets:
                last = min(len(self._presets), PRESET_KEYS)
                keys = "1" if last == 1 else f"1-{last}"
                yield Label(
                    f"Presets: {keys} on an empty line, or Tab to the list and Enter", classes="dialog-hint"
                )
                yield OptionList(
                    *(Option(preset_option(i + 1, p), id=f"preset-{i}") for i, p in enumerate(self._presets)),
                    id="presets",
                )
            if self._history:
                yield Label("Recent (Tab, then Enter to pick):", classes="dialog-hint")
                yield OptionList(
                    *(Option(self._label(i, item), id=str(i)) for i, item in enumerate(self._history)),
                    id="history",
                )

    def _label(self, index: int, item: str) -> Text:
        if index == 0 and self._previous is not None:
            return Text(f"↩ back to previous ({self._previous.method}): {clean(item, 180)}")
        return Text(clean(item, 200))

    def on_mount(self) -> None:
        self.query_one("#target", Input).focus()

    @property
    def method(self) -> str:
        return self._method

    @on(RadioSet.Changed, "#method")
    def _method_changed(self, event: RadioSet.Changed) -> None:
        # Kept here rather than read from the buttons: a preset sets the buttons through messages that
        # may still be queued when Enter arrives.
        self._method = "GET" if event.pressed.id == "method-get" else "POST"

    def _say(self, message: str, level: str) -> None:
        widget = self.query_one("#redirect-message", Static)
        widget.update(Text(message))
        widget.set_classes(f"dialog-message {level}")
        if message:
            widget.scroll_visible(animate=False)

    @on(Input.Changed, "#target")
    def _edited(self) -> None:
        self._acknowledged = None
        self._say("", "")

    @on(OptionList.OptionSelected, "#history")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        target = self.query_one("#target", Input)
        index = int(event.option.id or 0)
        target.value = self._history[index]
        if index == 0 and self._previous is not None:  # go back the way it was sent
            self._method = self._previous.method
            self.query_one(f"#method-{self._method.lower()}", RadioButton).value = True
        target.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "preset":
            # Otherwise the digit is typed: a preset only replaces an empty line or another preset.
            number = parameters[0]
            value = self.query_one("#target", Input).value
            shown = self._filled[0] if self._filled else ""
            return isinstance(number, int) and number <= len(self._presets) and value in ("", shown)
        return True

    def action_preset(self, number: int) -> None:
        self._fill(self._presets[number - 1])

    def commands(self) -> Iterable[SystemCommand]:
        """For the app's command palette: each preset, filled in as its digit (or the list) would."""
        for number, preset in enumerate(self._presets, 1):
            key = f"key {number}" if number <= PRESET_KEYS else "from the list"
            yield SystemCommand(
                f"Preset: {clean(preset.name, 60)}",
                f"Fill in the target and method; Enter sends it ({key})",
                lambda preset=preset: self._fill(preset),
            )

    @on(OptionList.OptionSelected, "#presets")
    def _preset_picked(self, event: OptionList.OptionSelected) -> None:
        self._fill(self._presets[event.option_index])

    def _fill(self, preset: Preset) -> None:
        exact = preset.twiml if preset.twiml is not None else preset.url or ""
        shown = one_line(exact)
        self._filled = (shown, exact)
        target = self.query_one("#target", Input)
        with target.prevent(Input.Changed):
            target.value = shown
        target.cursor_position = len(shown)
        target.focus()
        self._acknowledged = None
        self._method = preset.method
        self.query_one(f"#method-{preset.method.lower()}", RadioButton).value = True
        self._say(f"Preset “{clean(preset.name, 60)}”: Enter sends it.", "")

    @on(Input.Submitted, "#target")
    def _submitted(self, event: Input.Submitted) -> None:
        # The line shows a preset's TwiML on one line; send it as configured unless it was edited.
        text = self._filled[1] if self._filled and event.value == self._filled[0] else event.value
        try:
            redirect, warnings = build_redirect(text, self.method)
        except ActionInputError as exc:
            self._say(str(exc), "error")
            return
        key = f"{self.method} {text.strip()}"
        if warnings and self._acknowledged != key:
            self._acknowledged = key
            self._say(" ".join(warnings) + " Press Enter again to send anyway.", "warning")
            return
        self.dismiss(redirect)

    def action_cancel(self) -> None:
        self.dismiss(None)
