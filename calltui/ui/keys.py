"""How a binding's keys are named in the help screen and the command palette (shared by both apps)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding

_KEY_NAMES = {
    "left": "←",
    "right": "→",
    "shift+left": "shift+←",
    "shift+right": "shift+→",
    "comma": ",",
    "full_stop": ".",
    "plus": "+",
    "equals_sign": "=",
    "minus": "-",
    "slash": "/",
    "question_mark": "?",
    "exclamation_mark": "!",
    "f5": "F5",
}


def key_label(binding: Binding) -> str:
    """Every key of `binding` as it is typed: `ctrl+r / F5`, `, / shift+←`."""
    return " / ".join(_KEY_NAMES.get(key, key) for key in binding.key.split(","))


def binding_command(binding: Binding, callback: Callable[[], Any]) -> SystemCommand:
    """A command palette entry for `binding`, its keys in the help line."""
    return SystemCommand(binding.description, f"{binding.description} ({key_label(binding)})", callback)


def builtin_commands(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's palette commands less its "Keys" (a side panel): calltui's "Keys" opens the help screen."""
    return (command for command in commands if command.title != "Keys")
