"""Screens and modal dialogs, each imported the first time it is asked for (`screens.HelpScreen`): none of
them is on the first paint, and importing them all would delay it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calltui.ui.screens.accounts import AccountPickerScreen
    from calltui.ui.screens.alerts import AlertsScreen
    from calltui.ui.screens.alone import AloneScreen
    from calltui.ui.screens.bulk_confirm import BulkConfirmScreen
    from calltui.ui.screens.details import DetailsScreen
    from calltui.ui.screens.export import ExportScreen
    from calltui.ui.screens.hangup import HangupScreen
    from calltui.ui.screens.help import HelpScreen
    from calltui.ui.screens.numbers import NumbersScreen
    from calltui.ui.screens.quit import QuitScreen
    from calltui.ui.screens.redirect import RedirectScreen
    from calltui.ui.screens.team import TeamScreen

_MODULES = {
    "AccountPickerScreen": "accounts",
    "AlertsScreen": "alerts",
    "AloneScreen": "alone",
    "BulkConfirmScreen": "bulk_confirm",
    "DetailsScreen": "details",
    "ExportScreen": "export",
    "HangupScreen": "hangup",
    "HelpScreen": "help",
    "NumbersScreen": "numbers",
    "QuitScreen": "quit",
    "RedirectScreen": "redirect",
    "TeamScreen": "team",
}

__all__ = [
    "AccountPickerScreen",
    "AlertsScreen",
    "AloneScreen",
    "BulkConfirmScreen",
    "DetailsScreen",
    "ExportScreen",
    "HangupScreen",
    "HelpScreen",
    "NumbersScreen",
    "QuitScreen",
    "RedirectScreen",
    "TeamScreen",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
