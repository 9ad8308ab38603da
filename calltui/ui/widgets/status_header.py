"""The header: which account, how many calls by status, how fresh the data is, and the mode; below it a
sparkline of active calls over the session."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.color import Color as RichColor
from rich.text import Text
from textual.color import Color
from textual.reactive import reactive
from textual.widget import Widget

from calltui.domain.call import ACTIVE_STATUSES, ENDED_STATUSES
from calltui.domain.text import clean
from calltui.monitor.activity import Sample
from calltui.monitor.poller import PollState, View
from calltui.ui.describe import short_sid
from calltui.ui.sparkline import sparkline

STATUS_STYLES = {"queued": "yellow", "ringing": "cyan", "in-progress": "green"}


@dataclass(frozen=True, slots=True)
class HeaderModel:
    account_sid: str
    friendly_name: str | None = None
    view: View = View.ACTIVE
    counts: Mapping[str, int] | None = None
    poll: PollState = field(default_factory=PollState)
    read_only: bool = False
    dry_run: bool = False
    filter_text: str = ""
    shown: int = 0
    alerts: int = 0
    """Alert rules standing now (see calltui.monitor.alerts)."""
    activity: tuple[Sample, ...] = ()
    """Active calls per good poll, oldest first (see `monitor.activity`)."""
    profile: str | None = None
    """How the live account was reached: `profile prod`, `twilio-cli dev`, `subaccount`, `main account`."""
    label: str | None = None
    """The account's label from its profile (`PRODUCTION`), shown as a badge at the far left."""
    color: str | None = None
    """`#rrggbb` for the badge and the header's tint; None: an inverse badge and no tint."""


def _age(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m"


def header_text(model: HeaderModel, now: datetime, width: int = 200) -> Text:
    """Both header lines for a header `width` cells wide."""
    text = status_text(model, now)
    text.append("\n")
    text.append_text(activity_text(model, width))
    return text


def status_text(model: HeaderModel, now: datetime) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    if model.label:
        text.append(f" {clean(model.label, 24)} ", style=badge_style(model.color))
        text.append(" ")
    if model.read_only:
        text.append(" READ-ONLY ", style="bold black on yellow")
        text.append(" ")
    if model.dry_run:
        text.append(" DRY-RUN ", style="bold white on magenta")
        text.append(" ")
    text.append(short_sid(model.account_sid), style="bold")
    if model.friendly_name:
        text.append(f" {clean(model.friendly_name, 40)}")
    if model.profile:
        text.append(f" · {clean(model.profile, 24)}", style="italic")
    # Freshness comes before the counts: at 80 columns the tail is cut, and "stale" must never be.
    text.append("  │  ")
    text.append_text(freshness_text(model.poll, now))
    text.append("  │  ")
    text.append("active calls" if model.view is View.ACTIVE else "ended in the last hour", style="bold")
    counts = model.counts or {}
    if model.view is View.ACTIVE:
        for status in ACTIVE_STATUSES:
            text.append(f"  {counts.get(status, 0)} ", style="bold")
            text.append(status, style=STATUS_STYLES[status])
    else:
        text.append(f"  {sum(counts.values())}", style="bold")
        ended = [f"{counts[status]} {status}" for status in ENDED_STATUSES if counts.get(status)]
        if ended:
            text.append(f": {', '.join(ended)}")
    if model.alerts:
        text.append("  ")
        text.append(f" {model.alerts} ALERT{'S' if model.alerts != 1 else ''} ", style="bold white on red")
    if model.filter_text:
        text.append(f"  │  filter “{clean(model.filter_text, 30)}”: {model.shown} shown", style="italic")
    return text


def activity_text(model: HeaderModel, width: int) -> Text:
    """`activity ▁▂▄█▆  now 12 · peak 40 · 4m`: the last samples that fit in `width` cells."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("activity ", style="bold")
    if not model.activity:
        text.append("waiting for the first poll of active calls…", style="dim")
        return text
    paused = " · paused in the ended view" if model.view is not View.ACTIVE else ""
    widest = "  now 99999 · peak 99999 · 999m" + paused  # the figures' room: the sparkline takes the rest
    samples = model.activity[-max(1, width - len(text) - len(widest)) :]
    values = [sample.active for sample in samples]
    text.append(sparkline(values, len(values)), style="green")
    span = _age(samples[0].at, samples[-1].at)
    text.append(f"  now {values[-1]} · peak {max(values)} · {span}", style="dim")
    text.append(paused, style="dim italic")
    return text


def badge_style(color: str | None) -> str:
    """Bold text in black or white, whichever reads on `color`; inverse video when there is no colour."""
    if color is None:
        return "bold reverse"
    ink = "black" if _light(color) else "white"
    return f"bold {ink} on {color}"


def _light(color: str) -> bool:
    red, green, blue = RichColor.parse(color).get_truecolor()
    return 0.299 * red + 0.587 * green + 0.114 * blue > 150


def freshness_text(poll: PollState, now: datetime) -> Text:
    """`updated 12:00:01` when fresh; a loud STALE/STOPPED badge with the reason when not."""
    if poll.error is None:
        if poll.last_ok is None:
            return Text("loading…", style="dim")
        return Text(f"updated {poll.last_ok.astimezone():%H:%M:%S}", style="green")
    age = f" {_age(poll.last_ok, now)}" if poll.last_ok else ""
    reason = clean(poll.error.summary(), 120)
    if poll.stopped:
        return Text(f" STOPPED{age} ", style="bold white on red") + Text(
            f" {reason} — polling stopped; fix credentials, then ctrl+r", style="red"
        )
    retry = f"retry in {max(0, int((poll.retry_at - now).total_seconds()))}s" if poll.retry_at else "retrying"
    return Text(f" STALE{age} ", style="bold black on dark_orange") + Text(
        f" {reason} — {retry}", style="yellow"
    )


class StatusHeader(Widget):
    """Renders a HeaderModel; the app replaces the model, the tick refreshes the ages."""

    # One line each, cut with an ellipsis: a long first line must not wrap onto the sparkline's.
    DEFAULT_CSS = "StatusHeader { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }"

    model: reactive[HeaderModel | None] = reactive(None, layout=False)

    def __init__(self, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._clock = clock

    def watch_model(self, old: HeaderModel | None, new: HeaderModel | None) -> None:
        """Tint the whole header in the account's colour, so production is unmistakable at a glance."""
        color = new.color if new else None
        if old is None or old.color != color:
            self.styles.background = Color.parse(color).with_alpha(0.35) if color else None

    def render(self) -> Text:
        if self.model is None:
            return Text("calltui")
        return header_text(self.model, self._clock(), self.content_size.width)
