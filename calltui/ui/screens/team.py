"""`t`: the teammates online (and who polls for the team), and the team's recent actions, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from calltui.domain.call import format_local
from calltui.domain.text import clean
from calltui.monitor.team.side import TeamSide
from calltui.monitor.team.wire import Member, TeamAction
from calltui.ui.describe import short_sid

ACTIONS_LISTED = 50


def team_lines(
    me: str,
    polling: bool,
    online: bool,
    teammates: Sequence[Member],
    actions: Sequence[TeamAction],
) -> list[str]:
    """What the screen says, line by line (untrusted names cleaned, one line each)."""
    if not online:
        lines = ["TEAM OFFLINE: this instance polls by itself and retries Redis with backoff."]
    else:
        role = "polls for the team" if polling else "follows the team's poll"
        lines = [f"You: {clean(me, 64)} ({role})."]
        if not teammates:
            lines.append("No teammate online.")
        for member in teammates:
            note = " (polls for the team)" if member.polling else ""
            lines.append(f"  {clean(member.who, 64)}{note}")
    lines.append("")
    lines.append("Recent actions:" if actions else "No action yet.")
    for action in list(reversed(actions))[:ACTIONS_LISTED]:
        when = format_local(action.at, "%H:%M:%S") or "—"
        alone = " (taken offline)" if action.offline else ""
        lines.append(f"  {when} {clean(action.who, 40)} {action.words} {short_sid(action.call_sid)}{alone}")
    return lines


class TeamScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,t", "dismiss", "Close")]

    def __init__(self, title: str, side: TeamSide) -> None:
        super().__init__()
        self._title = title
        team = side.team
        self._lines = team_lines(team.who, team.state.polling, side.online, team.teammates, team.recent)
        if team.state.dropped:
            self._lines.append(f"{team.state.dropped} malformed entries from Redis dropped.")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog"):
            yield Label(self._title, classes="dialog-title")
            yield Static(Text("\n".join(self._lines)), id="team-lines")
            yield Static(Text("Esc or t closes"), classes="dialog-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
