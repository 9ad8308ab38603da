"""The account picker: profiles on file at once, then the accounts the live credentials reach."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from calltui.domain.account import AccountInfo
from calltui.domain.errors import GatewayError
from calltui.domain.text import clean
from calltui.monitor.accounts import AccountChoice, Candidates, api_choices, badge_color, profile_for
from calltui.ui.describe import counted, short_sid
from calltui.ui.widgets.status_header import badge_style
from calltui.userconfig import Profile


class AccountPickerScreen(ModalScreen[AccountChoice | None]):
    """Dismisses with the chosen account, or None when closed."""

    BINDINGS = [Binding("escape", "cancel", "Close", priority=True)]

    def __init__(
        self,
        candidates: Candidates,
        *,
        live_sid: str,
        load_accounts: Callable[[], Awaitable[list[AccountInfo]]],
        profiles: Sequence[Profile] = (),
    ) -> None:
        super().__init__()
        self._choices = list(candidates.choices)
        self._problems = candidates.problems
        self._live_sid = live_sid
        self._load_accounts = load_accounts
        self._profiles = profiles
        self._opened_at: int | None = None

    @property
    def choices(self) -> list[AccountChoice]:
        """Every line, in order: profiles on file, then the accounts the API listed."""
        return list(self._choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Label("Switch account", classes="dialog-title")
            yield OptionList(*self._options(self._choices, 0), id="accounts")
            yield Static(Text("Listing subaccounts…"), id="accounts-status", classes="dialog-hint")
            for problem in self._problems:
                yield Static(Text(problem), classes="dialog-message warning")
            yield Static(Text("Enter switches · Esc closes"), classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one("#accounts", OptionList)
        options.focus()
        self._highlight_live(options)
        self._opened_at = options.highlighted  # to tell whether the operator moved before the list came
        self._load()

    def _highlight_live(self, options: OptionList) -> None:
        """Put the cursor on the live account when it is listed (and choosable), else on the first line."""
        live = next(
            (
                i
                for i, choice in enumerate(self._choices)
                if choice.account_sid == self._live_sid and not choice.unavailable
            ),
            None,
        )
        if live is not None:
            options.highlighted = live
        elif options.highlighted is None:
            options.action_first()

    @work(group="accounts-picker")
    async def _load(self) -> None:
        status = self.query_one("#accounts-status", Static)
        try:
            accounts = await self._load_accounts()
        except GatewayError as error:
            status.update(Text(f"Subaccounts not listed: {clean(error.summary(), 200)}"))
            return
        found = api_choices(accounts)
        options = self.query_one("#accounts", OptionList)
        live_listed = any(choice.account_sid == self._live_sid for choice in self._choices)
        moved = options.highlighted != self._opened_at
        options.add_options(self._options(found, len(self._choices)))
        self._choices.extend(found)
        if not live_listed and not moved:  # the live account arrived with the API's list: go to it
            self._highlight_live(options)
        elif options.highlighted is None:
            options.action_first()
        subaccounts = sum(1 for account in accounts if account.is_subaccount)
        status.update(Text(f"{counted(subaccounts, 'subaccount')} listed by the API."))

    def _options(self, choices: Sequence[AccountChoice], first: int) -> list[Option]:
        return [
            Option(self._line(choice), id=str(first + i), disabled=bool(choice.unavailable))
            for i, choice in enumerate(choices)
        ]

    def _line(self, choice: AccountChoice) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("● " if choice.account_sid == self._live_sid else "  ", style="bold green")
        text.append(clean(choice.name, 28).ljust(29), style="bold" if not choice.unavailable else "dim")
        text.append(f"{short_sid(choice.account_sid) or '?':<12} ", style="dim")
        text.append(f"{choice.source:<19}", style="italic")
        profile = profile_for(choice.account_sid, self._profiles, choice.name)
        if profile is not None and profile.label:
            text.append(f" {clean(profile.label, 20)} ", style=badge_style(badge_color(profile.color)))
        if choice.unavailable:
            text.append(f"\n    ✗ {clean(choice.unavailable, 120)}", style="dim")
        return text

    @on(OptionList.OptionSelected, "#accounts")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._choices[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
