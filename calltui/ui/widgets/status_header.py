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
from calltui.monitor.skew import skew_text
from calltui.ui.describe import short_sid
from calltui.ui.sparkline import sparkline

STATUS_STYLES = {
    "queued": "yellow",
    "ringing": "cyan",
    "in-progress": "green",
    # A flood of calls that did not connect must stand out; calls that ended normally must not.
    "completed": "dim",
    "busy": "yellow",
    "no-answer": "yellow",
    "failed": "bold red",
    "canceled": "dim",
}


@dataclass(frozen=True, slots=True)
class TeamStatus:
    """Team mode as the header shows it."""

    online: bool
    teammates: int
    """Others online on this account's team."""
    polling: bool
    """This instance polls for the team."""


@dataclass(frozen=True, slots=True)
class HeaderModel:
    account_sid: str
    friendly_name: str | None = None
    view: View = View.ACTIVE
    counts: Mapping[str, int] | None = None
    poll: PollState = field(default_factory=PollState)
    ended: Mapping[str, int] | None = None
    """Calls seen to end in the last minute, by final status (the live view; see `monitor.ends`)."""
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
    team: TeamStatus | None = None
    """Team mode (`--team`); None: alone."""
    audit_problem: str | None = None
    """Why the audit log refuses writes (actions are refused meanwhile); None while it accepts them."""
    skew: float = 0.0
    """Seconds Twilio's clock is ahead of the local one, once past the threshold (see monitor.skew)."""


def _age(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m"


def header_text(model: HeaderModel, now: datetime, width: int = 200) -> Text:
    """Every header line for a header `width` cells wide (two, or more when the parts need them)."""
    return Text("\n").join(header_lines(model, now, width))


def header_lines(model: HeaderModel, now: datetime, width: int) -> list[Text]:
    """The status parts fitted to `width` (see `fit_parts`), then the activity line in the room left."""
    parts = [part for build in PARTS if (part := build(model, now)) is not None]
    lines = fit_parts(parts, width)
    if len(lines) == 1:
        return [*lines, _stale_reason(model, now, lines[0]) or activity_text(model, width)]
    room = _activity_room(lines, width)
    if room >= ACTIVITY_MIN:
        lines[-1].append(SEP)
        lines[-1].append_text(activity_text(model, room))
    return lines


def _activity_room(lines: list[Text], width: int) -> int:
    """Cells the activity line may take after the parts on the last line (of two or more)."""
    return width - lines[-1].cell_len - len(SEP)


# --------------------------------------------------------------------------- the parts and their order

SEP = " │ "
"""Between two groups of parts; parts of one group (the account, the counts) are one space apart."""
ACTIVITY_MIN = 48
"""The activity line needs this much room on the last line (a dozen samples and the figures), or it is
left out."""


@dataclass(frozen=True, slots=True)
class Part:
    """One item of the header: its forms, longest first. An empty last form means it may be left out.

    `gives_way` holds one number per shorter form: when the header is too narrow, the step with the highest
    number is taken first (1-9: 9 gives way first). A part with one form is never shortened (counts,
    alerts, safety badges: what matters most). No form cuts a number: a part is shown in one of its forms,
    and what still does not fit goes on the next line.
    """

    forms: tuple[Text, ...]
    gives_way: tuple[int, ...] = ()
    sep: str = SEP
    """Put before the part when it follows another on its line."""


def _fixed(text: str, style: str = "", *, sep: str = SEP) -> Part:
    return Part((Text(text, style=style),), 0, sep)


def _label(model: HeaderModel, now: datetime) -> Part | None:
    if not model.label:
        return None
    style = badge_style(model.color)
    forms = tuple(Text(f" {clean(model.label, n)} ", style=style) for n in (24, 12))
    return Part(forms, (3,), sep=" ")


def _read_only(model: HeaderModel, now: datetime) -> Part | None:
    return _fixed(" READ-ONLY ", "bold black on yellow", sep=" ") if model.read_only else None


def _dry_run(model: HeaderModel, now: datetime) -> Part | None:
    return _fixed(" DRY-RUN ", "bold white on magenta", sep=" ") if model.dry_run else None


def _team(model: HeaderModel, now: datetime) -> Part | None:
    """` TEAM 2 online · polling ` (2 others), ` TEAM alone · polling `; ` TEAM OFFLINE ` is never
    shortened."""
    team = model.team
    if team is None:
        return None
    if not team.online:
        return _fixed(" TEAM OFFLINE ", "bold white on red", sep=" ")
    style, n = "bold white on dark_blue", team.teammates
    polling = " · polling" if team.polling else ""
    # Alone, a bare count would read "a team of 0": say so in a word.
    others = "alone" if n == 0 else f"{n} online"
    short = "alone" if n == 0 else f"{n}"
    forms = (f" TEAM {others}{polling} ", f" TEAM {short}{polling} ", f" TEAM {short} ")
    return Part(tuple(Text(form, style=style) for form in forms), (6, 2), sep=" ")


def _audit(model: HeaderModel, now: datetime) -> Part | None:
    """While the audit log refuses writes: a badge saying actions are refused, which never gives way; the
    reason does."""
    if model.audit_problem is None:
        return None
    badge = Text(" AUDIT LOG FAILING ", style="bold white on red")
    reason = clean(model.audit_problem, 60)
    tails = (f" {reason}: actions refused", " actions refused")
    return Part(tuple(badge + Text(tail, style="red") for tail in tails), (6,), sep=" ")


def _skew(model: HeaderModel, now: datetime) -> Part | None:
    text = skew_text(model.skew)
    if text is None:
        return None
    short = text.removeprefix("local ").removesuffix(" vs Twilio")
    return Part((Text(text, style="yellow"), Text(short, style="yellow")), (7,))


def _account(model: HeaderModel, now: datetime) -> Part:
    return _fixed(short_sid(model.account_sid), "bold", sep=" ")


def _name(model: HeaderModel, now: datetime) -> Part | None:
    if not model.friendly_name:
        return None
    name = model.friendly_name
    return Part((Text(clean(name, 40)), Text(clean(name, 16)), Text()), (8, 8), " ")


def _profile(model: HeaderModel, now: datetime) -> Part | None:
    if not model.profile:
        return None
    return Part((Text(f"· {clean(model.profile, 24)}", style="italic"), Text()), (9,), sep=" ")


def _freshness(model: HeaderModel, now: datetime) -> Part:
    forms = freshness_forms(model.poll, now)
    # "updated" goes early; a STALE reason is worth more than the counts' label, and than the next retry.
    return Part(forms, (7,) if model.poll.error is None else (5, 2, 1))


def _counts(model: HeaderModel, now: datetime) -> Part:
    """`active calls  2 queued  6 ringing  32 in-progress`; shorter labels and gaps, never fewer numbers."""
    counts = model.counts or {}
    if model.view is View.ACTIVE:
        live = [(counts.get(status, 0), status) for status in ACTIVE_STATUSES]
        # The live statuses name themselves: at the narrowest the label goes.
        forms = (
            _labelled("active calls  ", _figures(live, "  ")),
            _labelled("active ", _figures(live, " ")),
            _figures(live, " "),
        )
    else:
        ended = Text(f"{sum(counts.values())}", style="bold")
        by_status = [f"{counts[status]} {status}" for status in ENDED_STATUSES if counts.get(status)]
        if by_status:
            ended.append(f": {', '.join(by_status)}")
        forms = (_labelled("ended in the last hour  ", ended), _labelled("ended 1h ", ended))
    return Part(forms, (6, 3)[: len(forms) - 1])


def _ended(model: HeaderModel, now: datetime) -> Part | None:
    """`ended in the last minute  3 completed  2 no-answer`: how the calls that ended in the last minute
    ended; nothing when none did. Only its label shortens."""
    ended = model.ended
    if model.view is not View.ACTIVE or not ended:
        return None
    by_status = [(ended[status], status) for status in ENDED_STATUSES if ended.get(status)]
    forms = (
        _labelled("ended in the last minute  ", _figures(by_status, "  ")),
        _labelled("ended 1m ", _figures(by_status, " ")),
        _labelled("1m: ", _figures(by_status, " ")),
    )
    return Part(forms, (6, 3))


def _figures(counts: list[tuple[int, str]], gap: str) -> Text:
    """`2 queued  6 ringing`: each count in bold, then its status in the status's colour."""
    text = Text()
    for n, (count, status) in enumerate(counts):
        text.append(f"{gap if n else ''}{count} ", style="bold")
        text.append(status, style=STATUS_STYLES[status])
    return text


def _labelled(label: str, figures: Text) -> Text:
    return Text.assemble(Text(label, style="bold"), figures)


def _alerts(model: HeaderModel, now: datetime) -> Part | None:
    if not model.alerts:
        return None
    plural = "S" if model.alerts != 1 else ""
    return _fixed(f" {model.alerts} ALERT{plural} ", "bold white on red", sep="  ")


def _filter(model: HeaderModel, now: datetime) -> Part | None:
    """The filter hides calls, so it always shows, with its count; only its text is shortened."""
    if not model.filter_text:
        return None
    forms = (
        f"filter “{clean(model.filter_text, 30)}”: {model.shown} shown",
        f"“{clean(model.filter_text, 12)}”: {model.shown} shown",
        f"filter: {model.shown} shown",
    )
    return Part(tuple(Text(form, style="italic") for form in forms), (7, 4))


PartBuilder = Callable[[HeaderModel, datetime], "Part | None"]
PARTS: tuple[PartBuilder, ...] = (
    _label,
    _read_only,
    _dry_run,
    _team,
    _audit,
    _account,
    _name,
    _profile,
    _freshness,
    _skew,
    _counts,
    _ended,
    _alerts,
    _filter,
)
"""The header's parts in the order they are shown. To add an item, add a field to `HeaderModel`, a builder
returning a `Part` (None when there is nothing to say) and its place here; its `gives_way` says when it
is shortened (never, with one form)."""


def fit_parts(parts: list[Part], width: int) -> list[Text]:
    """Lay `parts` out in lines of `width` cells: take the step that gives way first (see `Part`), then
    the next, until one line holds them; when every part is as short as it goes and one line is not
    enough, wrap them (never inside a part) and give back the longer forms that still fit in that many
    lines, most important first."""
    chosen = [0] * len(parts)
    while len(_layout(parts, chosen, width)) > 1:
        shorter = [i for i in range(len(parts)) if chosen[i] < len(parts[i].forms) - 1]
        if not shorter:
            break
        chosen[max(shorter, key=lambda i: (parts[i].gives_way[chosen[i]], i))] += 1
    lines = _layout(parts, chosen, width)
    if len(lines) == 1:
        return lines
    room = _activity_room(lines, width)
    given_back = True
    while given_back:
        given_back = False
        shortened = [i for i in range(len(parts)) if chosen[i]]
        for i in sorted(shortened, key=lambda i: (parts[i].gives_way[chosen[i] - 1], i)):
            chosen[i] -= 1
            longer = _layout(parts, chosen, width)
            fits = len(longer) == len(lines) and max(line.cell_len for line in longer) <= width
            if fits and not _activity_room(longer, width) < ACTIVITY_MIN <= room:
                lines, given_back = longer, True
                break
            chosen[i] += 1
    return lines


def _layout(parts: list[Part], chosen: list[int], width: int) -> list[Text]:
    """The parts in their chosen forms, a new line wherever the next part would not fit."""
    lines: list[list[tuple[Part, int]]] = [[]]
    for part, form in zip(parts, chosen, strict=True):
        line = lines[-1]
        if line and _join([*line, (part, form)]).cell_len > width:
            lines.append(line := [])
        line.append((part, form))
    return [_join(line) for line in lines]


def _join(line: list[tuple[Part, int]]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for part, form in line:
        shown = part.forms[form]
        if shown:
            if text:
                text.append(part.sep)
            text.append_text(shown)
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


def freshness_forms(poll: PollState, now: datetime) -> tuple[Text, ...]:
    """`updated 12:00:01` (or just the time) when fresh; a loud STALE/STOPPED badge with its age and the
    next step when not, the reason shortened or left out before the badge ever is."""
    if poll.error is None:
        if poll.last_ok is None:
            return (Text("loading…", style="dim"),)
        time = f"{poll.last_ok.astimezone():%H:%M:%S}"
        return Text(f"updated {time}", style="green"), Text(time, style="green")
    age = f" {_age(poll.last_ok, now)}" if poll.last_ok else ""
    if poll.stopped:
        badge, style = Text(f" STOPPED{age} ", style="bold white on red"), "red"
        step = "polling stopped; fix credentials, then ctrl+r"
        short_step = "ctrl+r resumes"
    else:
        badge, style = Text(f" STALE{age} ", style="bold black on dark_orange"), "yellow"
        step = short_step = (
            f"retry in {max(0, int((poll.retry_at - now).total_seconds()))}s" if poll.retry_at else "retrying"
        )
    reason = poll.error.summary()
    tails = (
        f"{clean(reason, 120)} — {step}",
        f"{clean(reason, 48)} — {short_step}",
        clean(reason, 48),
        short_step,
    )
    return tuple(badge + Text(f" {tail}", style=style) for tail in tails)


def _stale_reason(model: HeaderModel, now: datetime, first: Text) -> Text | None:
    """Why polling fails, when the first line had no room for it: while stale the activity line has
    nothing new to show, and the reason is what the engineer needs (a 401 is not a network blip)."""
    error = model.poll.error
    if error is None or any(form.plain in first.plain for form in freshness_forms(model.poll, now)[:-1]):
        return None
    style = "red" if model.poll.stopped else "yellow"
    return Text(
        f"last poll failed: {clean(error.summary(), 200)}", style=style, no_wrap=True, overflow="ellipsis"
    )


class StatusHeader(Widget):
    """Renders a HeaderModel; the app replaces the model, the tick refreshes the ages."""

    # One line each: a line never wraps onto the next (the parts are laid out to fit; at widths too narrow
    # for any layout, the ellipsis is the last resort).
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
        lines = header_lines(self.model, self._clock(), self.content_size.width)
        if self.styles.height is None or self.styles.height.value != len(lines):
            self.styles.height = len(lines)  # a third line only when two cannot hold every part
        return Text("\n").join(lines)
