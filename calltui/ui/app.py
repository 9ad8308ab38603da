"""The calltui application: the live call table, and the keys that act on the highlighted call."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import termios
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from calltui.allocator import fix_mmap_threshold
from calltui.domain.actions import Action, Hangup, Redirect
from calltui.domain.call import ACTIVE_STATUSES, Call, format_local, utcnow
from calltui.domain.diff import PollDiff
from calltui.domain.errors import GatewayError
from calltui.domain.gateway import CallGateway
from calltui.domain.text import clean
from calltui.monitor.accounts import CALLTUI, AccountChoice, AccountSwitcher, badge_color, profile_for, via
from calltui.monitor.actions import ActionOutcome, action_name, action_title, action_word
from calltui.monitor.alerts import AlertReport
from calltui.monitor.audit import AuditLog
from calltui.monitor.bulk import BulkItem, BulkReport, summary
from calltui.monitor.export import default_export_path, write_export
from calltui.monitor.grace import PendingRun, Waiting
from calltui.monitor.history import UrlHistory
from calltui.monitor.poller import PollResult, View
from calltui.monitor.recorder import SessionRecorder
from calltui.monitor.redirects import RedirectMemory
from calltui.monitor.session import AccountSession, SessionSettings
from calltui.monitor.skew import TwilioClock
from calltui.monitor.team.claims import OFFLINE, HeldBy
from calltui.monitor.team.link import TeamConfig
from calltui.monitor.team.url import shown_url
from calltui.monitor.unanswered import Unanswered
from calltui.monitor.verify import Check, Verdict
from calltui.ui import screens
from calltui.ui.bulk_plan import BulkPlan, Marked, hangup_plan, marked_calls, redirect_plan
from calltui.ui.describe import call_line, counted, short_sid, stale_warning
from calltui.ui.gc_pacing import AFTER_KEY, CollectionPacer
from calltui.ui.keys import binding_command, builtin_commands, key_label
from calltui.ui.pending import Pending
from calltui.ui.textual_leaks import trim_render_caches
from calltui.ui.widgets.alert_bar import AlertBar, notice_line
from calltui.ui.widgets.bulk_bar import BulkBar
from calltui.ui.widgets.call_table import CallTable
from calltui.ui.widgets.filter_box import FilterBox
from calltui.ui.widgets.footer import PinnedFooter
from calltui.ui.widgets.pending_bar import PendingBar
from calltui.ui.widgets.status_header import HeaderModel, StatusHeader, TeamStatus
from calltui.userconfig import AlertRules, UserConfig

if TYPE_CHECKING:
    from calltui.monitor.team.wire import TeamAction
    from calltui.ui.screens.export import ExportChoice

CLOSING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
#: Seconds a closing signal waits for requests in flight to answer (they are audited as intents anyway).
CLOSING_WAIT = 3.0
#: How long `q` lets requests in flight and a bulk run finish before it exits anyway.
QUIT_WAIT = 30.0
#: Seconds a thread holding the interpreter lock keeps it while the loop waits (see `_start_polling`).
LOOP_SWITCH_INTERVAL = 0.001
#: Above this many calls the alert rules are evaluated off the loop (see `_check_alerts`).
ALERTS_OFF_LOOP = 2000
#: Calls of a poll's diff applied to the table in one go (see `_apply_rows`).
APPLY_STEP = 1000
#: Seconds after a poll is applied that a full collection, when due, runs (see gc_pacing).
COLLECT_AFTER_POLL = 0.25
#: The tick collects only when polls have left full collections this many times overdue (they stopped).
TICK_SLACK = 3
#: Seconds between checks that the audit log is still there and writable (a stat; a write only while failing).
AUDIT_PROBE_EVERY = 2.0
#: Twilio's code for an update to a call that is no longer in progress.
CALL_NOT_IN_PROGRESS = 21220
WRITE_ACTIONS = frozenset({"redirect", "hangup", "undo"})
#: Actions no command palette entry should offer (the palette has its own quit and help).
NOT_IN_PALETTE = frozenset({"quit", "help", "read_only"})
#: Keys that work on the call table, so only while it is on screen (not under details or a dialog).
#: `undo` is not among them: the countdown shows on every screen, and so does its way back.
TABLE_ACTIONS = (WRITE_ACTIONS - {"undo"}) | {"details", "filter", "toggle_view", "sort", "reverse_sort"}
TABLE_ACTIONS |= {"accounts"}
TABLE_ACTIONS |= {"toggle_mark", "mark_shown", "clear_marks"}
TABLE_ACTIONS |= {"numbers", "export"}


def _as_of(now: datetime) -> str:
    """When the alerts listed stood, as `!`'s dialog says it: local time of day."""
    return format_local(now, "%H:%M:%S") or "now"


def terminal_alive() -> bool:
    """Whether calltui's terminal is still there (after SIGHUP it usually is not: the ssh session dropped)."""
    try:
        termios.tcgetattr(sys.__stdin__.fileno() if sys.__stdin__ else 0)
    except (termios.error, OSError, ValueError):
        return False
    return True


class CallTuiApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "calltui"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("r", "redirect", "Redirect"),
        Binding("h", "hangup", "Hang up"),
        Binding("enter", "details", "Details"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("v", "toggle_view", "Active/Ended"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("c", "accounts", "Accounts"),
        Binding("ctrl+r,f5", "refresh_now", "Poll now", show=False, key_display="ctrl+r / F5"),
        Binding("n", "numbers", "Calls by number", show=False),
        Binding("x", "export", "Export", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+z", "suspend_process", "Suspend to the shell (fg comes back)", show=False),
        # Priority: a dialog or the details screen in front must not leave the countdown without its undo.
        Binding(
            "u",
            "undo",
            "Undo: cancel the newest action or bulk run still in its grace window",
            show=False,
            priority=True,
        ),
        Binding("space", "toggle_mark", "Mark / unmark the call", show=False),
        Binding("a", "mark_shown", "Mark every shown call", show=False),
        Binding("A", "clear_marks", "Clear marks", show=False),
        Binding("exclamation_mark", "alerts", "List the standing alerts", show=False, key_display="!"),
        Binding("t", "team", "Team: who is online, the team's recent actions", show=False),
        # Only under --read-only, where r and h above are off: say so rather than ignore the key.
        Binding("r,h", "read_only", "Read-only: redirect and hang-up are off", show=False),
        # Likewise `t` without --team.
        Binding("t", "team_off", "Team mode is off", show=False),
    ]

    def __init__(
        self,
        gateway: CallGateway,
        *,
        account_sid: str,
        audit: AuditLog,
        history: UrlHistory,
        interval: float = 2.0,
        read_only: bool = False,
        linger: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
        startup_warnings: Sequence[str] = (),
        user_config: UserConfig | None = None,
        dry_run: bool = False,
        redirects: RedirectMemory | None = None,
        accounts: AccountSwitcher | None = None,
        recorder: SessionRecorder | None = None,
        team: TeamConfig | None = None,
        unanswered: Sequence[Unanswered] = (),
    ) -> None:
        super().__init__()
        self.user_config = user_config or UserConfig()
        self._startup_warnings = list(startup_warnings)
        self.read_only = read_only
        self.dry_run = dry_run
        self.history = history
        self.clock = clock
        self.audit_path = audit.path
        self._audit = audit
        self.audit_problem: str | None = None
        """Why the audit log refuses writes, as last found; actions are refused while it is set."""
        self.accounts = accounts
        """Switches the live account (`c`); None hides the key."""
        self.session = AccountSession(
            gateway,
            account_sid,
            SessionSettings(
                audit,
                interval,
                clock,
                grace_seconds=self.user_config.grace_seconds,
                dry_run=dry_run,
                redirects=redirects,
                team=team,
                unanswered=tuple(unanswered),
                on_intent=self._record_intent,
            ),
            listener=self,
        )
        """Everything that belongs to the account being watched; an account switch replaces it."""
        self.header_model = self._identity(account_sid)
        self.polls_completed = 0
        """Counts finished polls (good or failed): tests and benchmarks wait on it."""
        self._starts = 0
        """How many times the table started over (`_start_over`): a poll being applied stops at a change."""
        self._alerts_busy = False  # an evaluation of the alert rules runs in a worker thread
        self._alerts = AlertReport()
        """The latest evaluation shown: the one source of the header's count, the highlights, `!`'s list."""
        self._alerts_dialog: screens.AlertsScreen | None = None
        """`!`'s dialog while it is open: it follows each evaluation, as the header does."""
        self._switch_interval: float | None = None  # the interpreter's, while polling sets its own
        self._pending_bar = PendingBar(id="pending")
        self._linger = linger
        self.gc_pacer = CollectionPacer()
        self.recorder = recorder
        """Keeps every poll and action outcome for `calltui replay` (`--record FILE`)."""
        self._signaled = False
        self._bulk_plan: BulkPlan | None = None
        """The bulk run last confirmed: what its summary says once it has waited out its grace window."""

    # ----------------------------------------------------------------- layout and lifecycle

    def compose(self) -> ComposeResult:
        # Held, not queried: timers and workers may fire while the app closes and its widgets are gone.
        self._header = StatusHeader(self.clock, id="status")
        self._table = CallTable(linger=self._linger, id="calls")
        self._alert_bar = AlertBar(id="alert-notice")
        yield self._header
        yield self._table
        yield FilterBox(placeholder="filter: number, SID, status… (Enter keeps, Esc clears)", id="filter")
        yield self._alert_bar
        yield self._pending_bar
        yield BulkBar(id="bulk")
        yield PinnedFooter(compact=True)

    @property
    def table(self) -> CallTable:
        return self._table

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.table.focus()
        for warning in self._startup_warnings:
            self.notify(warning, title="Warning", severity="warning", timeout=20, markup=False)
        self._render_header()
        self.set_interval(1.0, self._tick)
        self.set_interval(0.25, self._safety_tick)
        self.set_interval(AUDIT_PROBE_EVERY, self._probe_audit)
        self.app_resume_signal.subscribe(self, self._resumed)
        self._handle_signals(install=True)
        # The first read loads the twilio SDK on the gateway's thread: after the screen is painted, so the
        # engineer sees calltui at once rather than after the imports.
        self.call_after_refresh(self._start_polling)

    def _start_polling(self) -> None:
        self.gc_pacer.painted()
        fix_mmap_threshold()  # before the first page is read: see calltui/allocator.py
        # The gateway's thread parses pages holding the interpreter lock (~1 s of CPU a poll at 50,000
        # calls); each time the loop wakes it waits for the lock up to the switch interval, and a key takes
        # several wake-ups to reach the screen. At the default 5 ms that was ~35 ms of a key's p90 there.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(LOOP_SWITCH_INTERVAL)
        self._load_account_name()
        self._poll_loop()

    def _handle_signals(self, *, install: bool) -> None:
        """SIGHUP (the ssh session dropped) and SIGTERM close calltui cleanly, as `q` does."""
        loop = asyncio.get_running_loop()
        for signum in CLOSING_SIGNALS:
            # Not on every platform or thread: then the default (an abrupt exit) stays.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                if install:
                    loop.add_signal_handler(signum, self._close_on_signal, signum)
                else:
                    loop.remove_signal_handler(signum)

    def _close_on_signal(self, signum: int) -> None:
        if not self._signaled:
            self._signaled = True
            self._close_for(signal.Signals(signum))

    @work(group="closing")
    async def _close_for(self, signum: signal.Signals) -> None:
        """Cancel (and audit) what waits in its grace window, let requests in flight answer for a moment
        (their intents are on disk either way), then exit: the recording is closed on unmount."""
        await self._cancel_waiting(f"calltui was closed by {signum.name} before the grace window ended")
        await self._settle(CLOSING_WAIT)
        if not self.is_headless and not terminal_alive():
            # The ssh session is gone: there is no terminal to restore, and Textual's writes to it would
            # block its shutdown for ever. Close the files ourselves and go.
            if self.recorder is not None:
                await asyncio.to_thread(self.recorder.close)
            await asyncio.to_thread(self._audit.close)
            os._exit(128 + signum.value)
        self.exit(return_code=128 + signum.value)

    async def _cancel_waiting(self, why: str) -> None:
        """Take back (audit and record as canceled) every action still in its grace window."""
        items, problem = await self.session.cancel_all(f"{why}; nothing was sent")
        for one in (one for item in items for one in item.items):
            parameters = one.action.parameters()
            canceled = ActionOutcome(one.sid, action_name(one.action), parameters, "canceled")
            if self.recorder is not None:
                self.recorder.action(canceled, self.clock())
        if problem:
            self._audit_failed(problem)

    def _in_flight(self) -> int:
        return sum(1 for w in self.workers if w.group == "actions" and not w.is_finished)

    async def _settle(self, seconds: float) -> None:
        """Let requests in flight (and a bulk run) answer, for at most `seconds`."""
        for _ in range(int(seconds / 0.05)):
            if not self._in_flight() and not self.session.bulk_running:
                break
            await asyncio.sleep(0.05)

    def _pending_now(self) -> Pending:
        """What quitting now would leave behind: what waits in its grace window, in flight or sending."""
        grace = self.session.grace
        return Pending(
            waiting=tuple(action_word(action_name(item.action)) for item in grace.actions),
            run=sum(len(run.items) for run in grace.runs),
            going=self._in_flight(),
            sending=self.session.bulk_sending,
        )

    async def action_quit(self) -> None:
        """`q`: with nothing pending, quit; else ask to send now, cancel what waits, or stay."""
        pending = self._pending_now()
        if not pending:
            self.exit()
            return
        if not isinstance(self.screen, screens.QuitScreen):
            self.push_screen(screens.QuitScreen(pending), self._quit_chosen)

    def _quit_chosen(self, choice: str | None) -> None:
        if choice is not None:
            self._quit_with(choice)

    @work(group="closing")
    async def _quit_with(self, choice: str) -> None:
        """SEND: what waits goes now (each send audited as usual); CANCEL: it is audited as canceled.
        Either way requests already in flight and a bulk run are let finish before calltui exits."""
        if choice == "send":
            for item in self.session.grace.cancel_all():
                self._send_due(item)
        else:
            await self._cancel_waiting("canceled at quit before the grace window ended")
        self._show_pending()
        await asyncio.sleep(0)  # the sends just started count as in flight from here
        await self._settle(QUIT_WAIT)
        self.exit()

    def _resumed(self, _app: App[None] | None = None) -> None:
        """Back from ctrl+z and `fg`: redraw the whole screen and catch up with a poll at once."""
        self.screen.refresh(layout=True, repaint=True)
        self.refresh(layout=True, repaint=True)
        self.session.poll_now()
        self._tick()

    async def on_unmount(self) -> None:
        self._handle_signals(install=False)
        self.gc_pacer.stop()
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)  # the process's own again (tests run many apps)
        await self.session.close()
        if self.recorder is not None:
            await asyncio.to_thread(self.recorder.close)

    # ----------------------------------------------------------------- polling

    @work(exclusive=True, group="poll")
    async def _poll_loop(self) -> None:
        """Polls never overlap: the next one is armed only after this one has been applied."""
        async for result in self.session.polls():
            if result.diff is not None and not await self._apply_rows(result.diff):
                continue  # the table started over meanwhile (a view or account switch): this poll is moot
            self._apply_poll(result)
            self.polls_completed += 1

    async def _apply_rows(self, diff: PollDiff) -> bool:
        """The poll's diff on the table, `APPLY_STEP` calls at a time, the loop free between them (a key
        waits for one step, not a whole poll: 3,000 calls move at 50,000, ~20 ms of CPU). False when the
        table started over meanwhile: the rest of this poll belongs to a view no longer shown."""
        started, now = self._starts, self.clock()
        for n, part in enumerate(diff.parts(APPLY_STEP)):
            if n:
                await asyncio.sleep(0)
                if self._starts != started:
                    return False
            self.table.apply(part, now)
        return True

    def _apply_poll(self, result: PollResult) -> None:
        """What follows a poll once its rows are on the table (see `_apply_rows`), a failed one too."""
        if result.diff is not None:
            self.session.record_activity(result, self._active_shown)
            self._check_alerts()
        self._render_header()
        if self.recorder is not None:
            self.recorder.poll(result, self.clock(), self.session.view)
            self._recorder_problem()
        self.gc_pacer.after_poll()
        # Not right after the paint (it would add to the same stall): between polls, the gateway idle;
        # while the engineer types, right after a key's paint instead (see `on_event`).
        self.set_timer(COLLECT_AFTER_POLL, self.gc_pacer.collect_unless_typing)

    def _active_shown(self) -> int:
        counts = self.table.counts_by_status()  # kept as rows change: no pass over the calls
        return sum(counts.get(status, 0) for status in ACTIVE_STATUSES)

    def _recorder_problem(self) -> None:
        assert self.recorder is not None
        problem = self.recorder.take_problem()
        if problem:
            self.notify(clean(problem, 300), title="Recording", severity="error", timeout=30, markup=False)

    @work(group="account")
    async def _load_account_name(self) -> None:
        session = self.session
        name = await session.gateway.account_name()
        if name and session is self.session:  # not an account switched away from meanwhile
            self.header_model = replace(self.header_model, friendly_name=name)
            self._render_header()

    def _tick(self) -> None:
        if not self._table.is_mounted:
            return
        now = self.clock()
        self.table.tick(now)
        self._check_alerts()
        self._alert_bar.expire(now)
        self._render_header()
        trim_render_caches()  # once a second: dialogs, notices and lines come and go
        self.gc_pacer.collect_if_due(slack=TICK_SLACK)  # even while typing: keys a widget keeps never run one

    def _render_header(self) -> None:
        table = self.table
        self.header_model = replace(
            self.header_model,
            view=self.session.view,
            counts=table.counts_by_status(),
            poll=self.session.poller.state,
            ended=self.session.poller.recent_ends.counts(self.clock()),
            filter_text=table.filter_text,
            shown=table.row_count,
            alerts=len(self._alerts.alerts),
            activity=self.session.activity.samples,
            team=self._team_status(),
            audit_problem=self.audit_problem,
            skew=self.clock.skew if isinstance(self.clock, TwilioClock) else 0.0,
        )
        self._header.model = self.header_model

    def _team_status(self) -> TeamStatus | None:
        side = self.session.team
        if side is None:
            return None
        team = side.team
        return TeamStatus(side.online, len(team.teammates), side.online and team.state.polling)

    # ----------------------------------------------------------------- alerts

    def _check_alerts(self) -> None:
        """Evaluate the alert rules on the live calls: highlight rows, and announce what went off on the
        one-line notice (the first few in a while; the header counts the rest), and as a notification while
        a screen is in front of the table. Above `ALERTS_OFF_LOOP` calls the rules are evaluated in a worker
        thread (50,000 calls: 60-90 ms each second), one evaluation at a time."""
        if self._alerts_busy:
            return  # the evaluation in flight tells; the next tick or poll looks again
        rules, now = self.user_config.alerts, self.clock()
        if rules.enabled and sum(self.table.counts_by_status().values()) > ALERTS_OFF_LOOP:
            self._check_alerts_off_loop(rules, now)
        else:
            self._show_alerts(self.session.check_alerts(rules, self.table.current_calls(), now), now)

    @work(group="alerts")
    async def _check_alerts_off_loop(self, rules: AlertRules, now: datetime) -> None:
        self._alerts_busy = True
        session, starts, table = self.session, self._starts, self.table

        def evaluate() -> AlertReport:
            return session.check_alerts(rules, table.current_calls_copy(), now)

        try:
            report = await asyncio.to_thread(evaluate)
        finally:
            self._alerts_busy = False
        if session is self.session and starts == self._starts:  # not a view or account left meanwhile
            self._show_alerts(report, now)
            self._render_header()  # on the loop, the callers of `_check_alerts` render it right after

    def _show_alerts(self, report: AlertReport, now: datetime) -> None:
        """Take `report` as the alerts standing: the rows it highlights, `!`'s dialog if open, and the
        header's count, which every caller renders right after (nothing is painted in between)."""
        self._alerts = report
        self.table.set_alerts(report.sids)
        if self._alerts_dialog is not None:
            self._alerts_dialog.show(report.alerts, _as_of(now))
        if report.notice:
            self._alert_bar.announce(report.new, now)
            if self.screen is not self.screen_stack[0]:
                # The notice line is under the table, hidden behind the details or any screen in front.
                self.notify(notice_line(report.new).plain, title="Alert", severity="warning", markup=False)
            if self.user_config.bell:
                self.bell()

    def action_alerts(self) -> None:
        """List the alerts standing now: the header only counts them."""
        if not self.user_config.alerts.enabled:
            self.notify("No alert rules: see [alerts] in config.toml.", title="Alerts", markup=False)
            return
        if self.session.view is not View.ACTIVE:
            self.notify("The ended view shows no alerts; v goes back to the live calls.", markup=False)
            return
        standing = self._alerts.alerts  # what the header counts, not a fresh evaluation
        if not standing:
            self.notify("No alert is standing.", title="Alerts", markup=False)
            return
        self._alerts_dialog = screens.AlertsScreen(standing, _as_of(self.clock()))
        self.push_screen(self._alerts_dialog, self._alerts_closed)

    def _alerts_closed(self, _: None) -> None:
        self._alerts_dialog = None

    # ----------------------------------------------------------------- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo" and isinstance(self.focused, Input):
            return False  # `u` is typed into a URL, a path or the filter
        return self._allowed(action, on_table=self.screen is self.screen_stack[0])

    def _allowed(self, action: str, *, on_table: bool = True) -> bool:
        # Read-only removes the write keys outright (hidden, not greyed), as k9s does.
        if action in WRITE_ACTIONS and self.read_only:
            return False
        if action == "read_only" and not self.read_only:
            return False
        if action == "accounts" and self.accounts is None:
            return False
        if action == "team" and self.session.team is None:
            return False
        if action == "team_off" and self.session.team is not None:
            return False
        return on_table or action not in TABLE_ACTIONS

    def _target(self) -> Call | None:
        call = self.table.highlighted_call
        if call is None:
            self.notify("No call is highlighted.", severity="warning", markup=False)
        return call

    def _live_target(self) -> Call | None:
        call = self._target()
        if call is None:
            return None
        if not call.is_active or self.table.lingering(call.sid):
            self.notify(self._gone(call), severity="warning", markup=False)
            return None
        step = self.session.teammate_on(call.sid)
        if step is not None:
            self.notify(
                f"{clean(step.who, 40)} {step.words} {short_sid(call.sid)}: wait for their outcome.",
                title="Held by a teammate",
                severity="warning",
                markup=False,
            )
            return None
        if self.session.held(call.sid):
            self.notify(
                f"An action on {short_sid(call.sid)} is still waiting or in flight.",
                severity="warning",
                markup=False,
            )
            return None
        return call

    def _audit_refuses(self) -> bool:
        """No action without its record: while the audit log refuses writes, say so and send nothing."""
        problem = self._audit.problem or self.audit_problem
        if problem is None:
            return False
        self.notify(
            f"The audit log cannot be written ({clean(problem, 120)}), and nothing is sent without its "
            "record. The table keeps working; actions come back when the log accepts writes again.",
            title="Action refused",
            severity="error",
            timeout=15,
            markup=False,
        )
        return True

    def _gone(self, call: Call) -> str:
        """Why there is nothing to send: the call ended, or the latest poll no longer lists it live."""
        sid = short_sid(call.sid)
        if call.is_active:  # its row lingers because the poll lost it: the status shown is the last seen
            status = clean(call.status, 20)
            return f"Call {sid} is no longer among Twilio's live calls (last seen {status}); nothing sent."
        return f"Call {sid} has ended ({clean(call.status, 20) or 'status unknown'}); nothing to do."

    def action_read_only(self) -> None:
        self.notify(
            "Read-only: actions are off (started with --read-only).", severity="warning", markup=False
        )

    def action_team_off(self) -> None:
        self.notify("Team mode is off: start calltui with --team (see the README).", markup=False)

    def action_redirect(self) -> None:
        if self._audit_refuses():
            return
        if self.table.marked_count:
            self._bulk_redirect()
            return
        call = self._live_target()
        if call is None:
            return

        def chosen(redirect: Redirect | None) -> None:
            if redirect is not None:
                self.history.remember(redirect.twiml or redirect.url or "")
                self._confirmed(call, redirect)

        back = self.session.actions.redirects.back(call.sid)
        now = self.clock()
        stale = stale_warning(self.session.poller.state, now)
        screen = screens.RedirectScreen(
            call, now, self.history.items, self.user_config.presets, previous=back, stale=stale
        )
        self.push_screen(screen, chosen)

    def action_hangup(self) -> None:
        if self._audit_refuses():
            return
        if self.table.marked_count:
            self._bulk_hangup()
            return
        call = self._live_target()
        if call is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._confirmed(call, Hangup(call.end_status))

        grace = self.session.grace.seconds
        now = self.clock()
        stale = stale_warning(self.session.poller.state, now)
        hangup = screens.HangupScreen(call, now, grace_seconds=grace, dry_run=self.dry_run, stale=stale)
        self.push_screen(hangup, confirmed)

    def action_details(self) -> None:
        call = self._target()
        if call is not None:
            notes = self.session.safety_notes(call.sid)
            self.push_screen(screens.DetailsScreen(call, self.session.gateway, self.clock, notes=notes))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        # Focus now, not after the next refresh: keys typed right after `/` must land in the box.
        self.screen.set_focus(box)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.table.set_filter(event.value)
        self._render_header()

    @on(Input.Submitted, "#filter")
    def _filter_kept(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = bool(box.value)
        self.table.focus()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:  # from the terminal, not bubbled
            self.gc_pacer.key_pressed()
        await super().on_event(event)

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if self.gc_pacer.due():
            # Once this key's effect is on screen and before the next key of a human's pace (see gc_pacing).
            self.set_timer(AFTER_KEY, self.gc_pacer.collect_after_key)
        # Esc clears a filter kept with Enter from the table too (the box's own Esc is its binding).
        if event.key != "escape" or self.screen is not self.screen_stack[0]:
            return
        if self.table.has_focus and (self.query_one("#filter", Input).value or self.table.filter_text):
            self.action_clear_filter()
            event.stop()

    def action_clear_filter(self) -> None:
        self.set_filter("")

    def action_toggle_view(self) -> None:
        self._start_over(View.RECENT if self.session.view is View.ACTIVE else View.ACTIVE)
        self.action_refresh_now()

    def _start_over(self, view: View) -> None:
        """Show `view` from an empty table: the next poll fills it (a view or an account switch)."""
        self._starts += 1
        self.session.switch_view(view)
        self.table.set_calls((), self.clock(), ended_view=view is View.RECENT)
        self._show_alerts(AlertReport(), self.clock())  # nothing stands in an empty table
        self._alert_bar.withdraw()
        self._render_header()

    def action_sort(self) -> None:
        self.table.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.table.reverse_sort()

    def action_refresh_now(self) -> None:
        self.session.poll_now()

    def action_help(self) -> None:
        self.push_screen(screens.HelpScreen(self._key_help(), self._help_notes()))

    def _key_help(self) -> list[tuple[str, str]]:
        keys = [(key_label(binding), binding.description) for binding in self._bindings_in_force()]
        screen_keys = self.screen.key_help() if isinstance(self.screen, screens.DetailsScreen) else []
        return [*keys, ("ctrl+p", "Command palette"), *self.table.key_help(), *screen_keys]

    def _help_notes(self) -> list[str]:
        audit = clean(str(self.audit_path), 200)
        notes = [
            f"Polling every {self.session.poller.interval:g}s. Actions are logged to {audit}.",
            "The header's second line: active calls, one sample per good poll, with the peak.",
        ]
        if self.read_only:
            notes.append("READ-ONLY: redirect and hang-up are disabled, and the gateway refuses any write.")
        elif self.dry_run:
            notes.append("DRY-RUN: every prompt and countdown works, actions are audited, nothing is sent.")
        grace = self.session.grace.seconds
        if grace > 0 and not self.read_only:
            notes.append(
                f"Confirmed actions wait {grace:g}s before they are sent: u cancels (a bulk run as a whole)."
            )
        presets = len(self.user_config.presets)
        if presets and not self.read_only:
            notes.append(f"{presets} redirect preset(s) from config.toml: keys 1-9 in the redirect prompt.")
        if self.user_config.alerts.enabled:
            notes.append(
                "Alert rules from config.toml highlight rows in red; a line under the table tells of the"
                " first few to go off; ! lists them."
            )
        if self.session.settings.team is not None:
            where = shown_url(self.session.settings.team.url)
            notes.append(
                f"Team mode through {where} as {clean(self.session.settings.team.who, 64)}: t lists it."
            )
        if self.recorder is not None:
            where = clean(str(self.recorder.path), 200)
            notes.append(f"Recording this session to {where}: `calltui replay` plays it back.")
        return notes

    def _bindings_in_force(self, *, on_table: bool = True) -> list[Binding]:
        """The app's bindings that are in force (on the call table, or on another screen)."""
        return [
            binding
            for binding in self.BINDINGS
            if isinstance(binding, Binding) and self._allowed(binding.action, on_table=on_table)
        ]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from builtin_commands(super().get_system_commands(screen))
        for binding in self._bindings_in_force(on_table=screen is self.screen_stack[0]):
            if binding.action not in NOT_IN_PALETTE:
                yield binding_command(binding, getattr(self, f"action_{binding.action}"))
        if isinstance(screen, screens.DetailsScreen | screens.RedirectScreen):
            yield from screen.commands()
        yield SystemCommand("Keys", "Show every key (?)", self.action_help)

    # ----------------------------------------------------------------- the picture: by number, export

    def action_numbers(self) -> None:
        what = "active calls" if self.session.view is View.ACTIVE else "calls ended in the last hour"

        def chosen(number: str | None) -> None:
            if number:
                self.set_filter(number)

        self.push_screen(screens.NumbersScreen(list(self.session.poller.calls.values()), what), chosen)

    def set_filter(self, text: str) -> None:
        """Filter the table on `text`, with the filter box showing it (as if typed after `/`)."""
        box = self.query_one("#filter", Input)
        box.value = text
        box.display = bool(text)
        self.table.set_filter(text)
        self.table.focus()
        self._render_header()

    def action_export(self) -> None:
        shown = self.table.row_count
        what = f"{counted(shown, 'call')} shown, in the table's order"
        if self.table.filter_text:
            what += f" (filter “{clean(self.table.filter_text, 60)}”)"

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self._export(*choice)

        self.push_screen(screens.ExportScreen(default_export_path(self.clock()), what), chosen)

    @work(group="export")
    async def _export(self, path: Path, overwrite: bool) -> None:
        table = self.table
        calls = [call for sid in table.visible_sids if (call := table.get_call(sid)) is not None]
        shown = clean(str(path), 200)
        try:
            count = await asyncio.to_thread(write_export, path, calls, overwrite=overwrite)
        except (OSError, ValueError) as exc:  # ValueError: a path the system refuses outright (a NUL)
            reason = clean((exc.strerror if isinstance(exc, OSError) else None) or exc, 200)
            self.notify(f"{shown}: {reason}", title="Export failed", severity="error", markup=False)
            return
        self.notify(f"{counted(count, 'call')} written to {shown}", title="Exported", markup=False)

    # ----------------------------------------------------------------- the team

    def team_action(self, step: TeamAction) -> None:
        """A teammate's step: a notice (a verification only when it failed) and a mark on the row."""
        sid = step.call_sid
        if step.kind == "intent" or (step.kind == "outcome" and step.result in ("ok", "dry-run")):
            self.table.set_badge(sid, "⚑")
        elif step.kind == "verify":
            self.table.set_badge(sid, "✓" if step.result == "verified" else "✗")
        else:
            self.table.set_badge(sid, None)
        if step.kind == "verify" and step.result == "verified":
            return
        alone = " (while the team was offline)" if step.offline else ""
        text = f"{clean(step.who, 40)} {step.words} {short_sid(sid)}{alone}"
        failed = step.kind == "verify" or step.result not in ("", "ok", "dry-run")
        self.notify(text, title="Team", severity="warning" if failed else "information", markup=False)

    def team_changed(self) -> None:
        if self._table.is_mounted:
            self._render_header()

    def action_team(self) -> None:
        side = self.session.team
        if side is None:
            return
        self.push_screen(screens.TeamScreen(f"Team on {short_sid(self.session.account_sid)}", side))

    # ----------------------------------------------------------------- accounts

    def _identity(self, account_sid: str, choice: AccountChoice | None = None) -> HeaderModel:
        """The header's account part; the label and colour come from the calltui profile for this SID."""
        chosen_profile = choice.name if choice is not None and choice.source == CALLTUI else None
        match = profile_for(account_sid, self.user_config.profiles, chosen_profile)
        return HeaderModel(
            account_sid=account_sid,
            # A subaccount's name is known from the list; a profile's comes with the next account fetch.
            friendly_name=choice.name if choice is not None and choice.login is None else None,
            read_only=self.read_only,
            dry_run=self.dry_run,
            profile=via(choice) if choice else (f"profile {match.name}" if match else None),
            label=match.label if match else None,
            color=badge_color(match.color) if match else None,
        )

    def action_accounts(self) -> None:
        if self.accounts is not None:
            self._open_account_picker(self.accounts)

    @work(group="account-picker", exclusive=True)
    async def _open_account_picker(self, accounts: AccountSwitcher) -> None:
        # Reading twilio-cli's config is file I/O and JSON parsing: off the event loop.
        candidates = await asyncio.to_thread(accounts.profiles)
        if self.screen is not self.screen_stack[0]:
            return  # the engineer moved on (a dialog or details opened meanwhile)
        picker = screens.AccountPickerScreen(
            candidates,
            live_sid=self.session.account_sid,
            load_accounts=self.session.gateway.list_subaccounts,
            profiles=self.user_config.profiles,
        )
        self.push_screen(picker, self._switch_account)

    def _switch_account(self, choice: AccountChoice | None) -> None:
        """A new gateway, poller and action runner for `choice`; the table starts empty and polls at once."""
        if choice is None or self.accounts is None:
            return
        busy = any(worker.group == "actions" and not worker.is_finished for worker in self.workers)
        if busy or not self.session.idle:
            self.notify(
                "An action is pending or in flight; switch when it has finished.",
                severity="warning",
                markup=False,
            )
            return
        try:
            gateway = self.accounts.connect(choice)
        except GatewayError as error:
            self.notify(clean(error.summary(), 300), title="Cannot switch", severity="error", markup=False)
            return
        old = self.session
        self.workers.cancel_group(self, "verify")  # its checks belong to the account being left
        self.session = old.switched_to(gateway, choice.account_sid)
        if self.recorder is not None:
            self.recorder.switched(choice.account_sid)
        self.header_model = self._identity(choice.account_sid, choice)
        self._start_over(old.view)
        self._poll_loop()  # exclusive: replaces the old account's loop
        self._load_account_name()
        self._close_session(old)
        self.notify(
            f"Now watching {short_sid(choice.account_sid)} ({clean(choice.name, 40)}, {via(choice)}).",
            title="Account switched",
            markup=False,
        )

    @work(group="account")
    async def _close_session(self, session: AccountSession) -> None:
        await session.close()

    # ----------------------------------------------------------------- actions on calls

    @work(group="actions")
    async def _run_action(self, call: Call, action: Action) -> None:
        outcome = await self.session.send(call, action)
        if outcome is None:
            self.notify(
                f"An action on {short_sid(call.sid)} is already in flight; not sent again.",
                severity="warning",
                markup=False,
            )
            return
        self._report(call, outcome)
        if outcome.call is not None:
            self._refresh_one(outcome.call)
        elif outcome.result != "dry-run":
            self._refetch(call.sid)
        if outcome.result == "ok":  # the session's proof-of-effect check has started
            self.table.set_badge(call.sid, "…")

    def _report(self, call: Call, outcome: ActionOutcome) -> None:
        if outcome.result == "held":
            self.notify(
                f"Not sent: a teammate claimed {short_sid(call.sid)} while this action waited.",
                title="Held by a teammate",
                severity="error",
                timeout=15,
                markup=False,
            )
            return
        if self.recorder is not None:
            self.recorder.action(outcome, self.clock())
        what = {"redirect": "Redirected", "hangup": "Hung up"}[outcome.action]
        if outcome.parameters.get("Status") == "canceled":
            what = "Canceled"
        # The call as the action left it (or as last polled): not the status it had when the prompt opened.
        latest = outcome.call or self.table.get_call(call.sid) or call
        subject = call_line(latest, self.clock())
        if outcome.result == "ok":
            self.notify(f"{what}: {subject}", title="Done", markup=False)
        elif outcome.result == "dry-run":
            self.notify(f"Nothing sent. {what} (rehearsed): {subject}", title="DRY-RUN", markup=False)
        elif outcome.result == "not-sent":
            problem = clean(outcome.audit_error, 120)
            self.notify(
                f"Not sent: the audit log cannot be written ({problem}). Nothing reached Twilio.",
                title=f"{outcome.action} refused: {short_sid(call.sid)}",
                severity="error",
                timeout=15,
                markup=False,
            )
            self._audit_health(outcome.audit_error)
            return
        else:
            # calltui's words for what was tried, then Twilio's own (its 21220 says "Cannot redirect"
            # whatever the request was).
            attempt = action_word(outcome.action)
            if outcome.parameters.get("Status") == "canceled":
                attempt = "cancel"
            error = outcome.error
            lines = [clean(error.summary(), 300) if error else outcome.result]
            if error:
                lines[0] = f"Twilio: {lines[0]}"
                if error.code == CALL_NOT_IN_PROGRESS:
                    lines.insert(0, f"The call had already ended: the {attempt} was not applied.")
                else:
                    lines.insert(0, f"The {attempt} was refused.")
            if error and error.more_info:
                lines.append(clean(error.more_info, 200))
            if outcome.result == "unknown":
                lines[0] = "Outcome UNKNOWN: it may have reached Twilio. Check the call before retrying."
            self.notify(
                "\n".join(lines),
                title=f"The {attempt} of {short_sid(call.sid)} failed",
                severity="error",
                timeout=15,
                markup=False,
            )
        if outcome.audit_error:
            self._audit_failed(outcome.audit_error)

    def _refresh_one(self, call: Call) -> None:
        """Show an action's effect at once instead of waiting for the next poll."""
        known = self.table.get_call(call.sid) is not None
        diff = PollDiff(changed=(call,)) if known else PollDiff(added=(call,))
        self.table.apply(diff, self.clock())
        self._check_alerts()
        self._render_header()

    @work(group="actions")
    async def _refetch(self, sid: str) -> None:
        call = await self.session.refetch(sid)
        if call is not None:
            self._refresh_one(call)

    # ----------------------------------------------------------------- grace window and proof of effect

    def _confirmed(self, call: Call, action: Action) -> None:
        """A confirmed action is sent now, or after the grace window when one is configured. In team mode
        the call is claimed first."""
        if self.session.team is not None:
            self._claim(call, action)
        elif self.session.confirm(call, action):
            self._show_pending()
        else:
            self._run_action(call, action)

    @work(group="actions")
    async def _claim(self, call: Call, action: Action) -> None:
        verdict = await self.session.claim(call, action)
        if isinstance(verdict, HeldBy):
            holder = verdict.holder
            who = f"{clean(holder.who, 40)} ({holder.action})" if holder else "a teammate"
            self.notify(
                f"{who} holds {short_sid(call.sid)}: nothing sent.",
                title="Held by a teammate",
                severity="warning",
                markup=False,
            )
            return
        if verdict == OFFLINE:
            what = f"{action_title(action_name(action))} of {short_sid(call.sid)}"

            def alone(yes: bool | None) -> None:
                if yes and self.session.confirm(call, action):
                    self._show_pending()
                elif yes:
                    self._run_action(call, action)

            self.push_screen(screens.AloneScreen(what), alone)
            return
        if self.session.confirm(call, action):
            self._show_pending()
        else:
            self._run_action(call, action)

    def action_undo(self) -> None:
        item = self.session.cancel_latest()
        self._show_pending()
        if item is None:
            self.notify("Nothing is waiting to be sent.", severity="warning", markup=False)
            return
        if isinstance(item, PendingRun):
            self._show_marks()
        what = self._describe(item)
        self.notify(f"Canceled, nothing sent: {what}", title="Undone", severity="warning", markup=False)
        self._audit_canceled(item)

    def _describe(self, item: Waiting) -> str:
        """`hang-up of CA12…89ef`, `bulk redirect of 12 calls`."""
        what = action_word(action_name(item.items[0].action)) if item.items else "action"
        if isinstance(item, PendingRun):
            return f"bulk {what} of {counted(len(item.items), 'call')}"
        return f"{what} of {short_sid(item.call.sid)}"

    @work(group="actions")
    async def _skip(self, item: Waiting, ended: list[tuple[BulkItem, str]]) -> None:
        """Not sent at the end of its window: the latest poll shows the call (or some of a run's calls)
        over. Said, and each audited."""
        if isinstance(item, PendingRun) and len(ended) == len(item.items):
            text = f"Not sent: the {self._describe(item)}; every one of them ended during the countdown."
        elif isinstance(item, PendingRun):
            sids = ", ".join(short_sid(one.sid) for one, _ in ended[:3]) + (", …" if len(ended) > 3 else "")
            kind = action_word(action_name(item.items[0].action))
            text = (
                f"Not sent to {len(ended)} of the {len(item.items)} calls of the bulk {kind}: {sids} "
                "ended during the countdown."
            )
        else:
            text = f"Not sent: the {self._describe(item)}; {ended[0][1]} during the countdown."
        self.notify(text, title="Skipped", severity="warning", timeout=15, markup=False)
        problems = [await self.session.record_skipped(one, why) for one, why in ended]
        problem = next((problem for problem in problems if problem), None)
        if problem:
            self._audit_failed(problem)

    @work(group="actions")
    async def _audit_canceled(self, item: Waiting) -> None:
        problem = await self.session.record_canceled(item)
        if problem:
            self._audit_failed(problem)

    def _safety_tick(self) -> None:
        """Send what has waited out its grace window, run due checks, redraw the countdown."""
        now = self.clock()
        sends, checks = self.session.due(now)
        for item in sends:
            self._send_due(item)
        for check in checks:
            self._verify(check, now)
        self._show_pending()

    def _send_due(self, item: Waiting) -> None:
        """The end of a grace window (or "send now" at quit): what the latest poll shows ended is skipped,
        said and audited; the rest is sent: the action, or the bulk run's other calls."""
        ended = self.session.ended(item)
        if ended:
            self._skip(item, ended)
        if isinstance(item, PendingRun):
            plan = self._bulk_plan
            assert plan is not None, "a bulk run waits only after _confirm_bulk"
            kept = self.session.bulk_items  # `ended` has taken the calls that ended out of the run
            if kept:
                self._run_bulk(replace(plan, items=kept, skipped=plan.skipped + len(ended)))
        elif not ended:
            self._run_action(item.call, item.action)

    def _show_pending(self) -> None:
        """The countdown under the table, and on whatever screen or dialog is in front of it."""
        bar, pending = self._pending_bar, self.session.grace.pending
        # Held, not queried: the timer may fire while the app is closing and its widgets are gone.
        if not bar.is_mounted or not self.screen_stack:
            return
        if pending or bar.display:
            bar.show(pending, self.clock(), dry_run=self.dry_run)
        screen = self.screen_stack[-1]
        if screen is self.screen_stack[0]:
            return
        if isinstance(screen, screens.QuitScreen):
            screen.show(self._pending_now())  # a countdown may have ended while the dialog is open
        bars = list(screen.query_children(PendingBar))
        if pending and not bars:
            bars = [PendingBar(classes="in-front")]
            screen.mount(bars[0])
        for front in bars:
            front.show(pending, self.clock(), dry_run=self.dry_run)

    @work(group="verify")
    async def _verify(self, check: Check, now: datetime) -> None:
        verdict = await self.session.verify(check, now)
        if verdict is not None:
            await self._conclude(verdict)

    async def _conclude(self, verdict: Verdict) -> None:
        """Show whether the action took effect (row mark, notification) and audit it as `verify`."""
        self.table.set_badge(verdict.sid, "✓" if verdict.verified else "✗")
        self.notify(
            f"{action_title(verdict.action)} of {short_sid(verdict.sid)}: {verdict.text}",
            title="Verified" if verdict.verified else "NOT verified",
            severity="information" if verdict.verified else "error",
            timeout=10 if verdict.verified else 30,
            markup=False,
        )
        if self.recorder is not None:
            self.recorder.verdict(verdict, self.clock())
        problem = await self.session.record_verdict(verdict)
        if problem:
            self._audit_failed(problem)

    def _record_intent(self, outcome: ActionOutcome) -> None:
        """A request is about to leave: the recording keeps it as unknown until its outcome arrives."""
        if self.recorder is not None:
            self.recorder.action(outcome, self.clock())

    @work(group="audit-probe", exclusive=True)
    async def _probe_audit(self) -> None:
        """Off the loop: is the audit log still ours and writable (and, while failing, writable again)?"""
        self._audit_health(await self._audit.probe_async())

    def _audit_health(self, problem: str | None) -> None:
        """Show a change in the audit log's health: the header while it fails, a notice when it changes."""
        if problem == self.audit_problem:
            return
        self.audit_problem = problem
        if problem is None:
            self.notify(
                "The audit log accepts writes again; actions are back.", title="Audit log", markup=False
            )
        else:
            self.notify(
                f"The audit log cannot be written: {clean(problem, 120)}. Actions are refused until it can.",
                title="Audit log",
                severity="error",
                timeout=30,
                markup=False,
            )
        self._render_header()

    def _audit_failed(self, problem: str) -> None:
        self.notify(
            f"Audit log not written: {clean(problem, 200)}", severity="error", timeout=30, markup=False
        )

    # ----------------------------------------------------------------- marks and bulk actions

    def action_toggle_mark(self) -> None:
        self.table.toggle_mark()

    def action_mark_shown(self) -> None:
        self.table.mark_shown()

    def action_clear_marks(self) -> None:
        self.table.clear_marks()

    @on(CallTable.MarksChanged)
    def _marks_changed(self) -> None:
        self._show_marks()

    def _show_marks(self) -> None:
        if not self.session.bulk_sending:  # while it sends, the bar shows its progress
            bar = self.query_one(BulkBar)
            bar.show_marks(self.table.marked_count, can_act=not self.read_only)

    def _bulk_marked(self) -> Marked | None:
        """The marked calls to act on, or None (and why) when there is nothing to send now."""
        if self.session.bulk_running:
            self.notify("A bulk run is still waiting or sending.", severity="warning", markup=False)
            return None
        marked = marked_calls(self.table, self.session.held)
        if not marked.live:
            self.notify(
                f"None of the {self.table.marked_count} marked calls is live; nothing to send.",
                severity="warning",
                markup=False,
            )
            return None
        return marked

    def _bulk_redirect(self) -> None:
        marked = self._bulk_marked()
        if marked is None:
            return

        def chosen(redirect: Redirect | None) -> None:
            if redirect is not None:
                self.history.remember(redirect.twiml or redirect.url or "")
                self._confirm_bulk(redirect_plan(marked, redirect))

        subject = f"{len(marked.live)} marked calls"
        screen = screens.RedirectScreen(subject, self.clock(), self.history.items, self.user_config.presets)
        self.push_screen(screen, chosen)

    def _bulk_hangup(self) -> None:
        marked = self._bulk_marked()
        if marked is not None:
            self._confirm_bulk(hangup_plan(marked))

    def _confirm_bulk(self, plan: BulkPlan) -> None:
        def start(alone: bool) -> None:
            self.table.clear_marks()  # consumed: a second `h` must not send the batch again
            self._bulk_plan = plan
            # Reserved at once, not when the worker starts; then it waits out the grace window as one.
            if self.session.start_bulk(plan.items, alone=alone):
                self._show_pending()
            else:
                self._run_bulk(plan)

        def confirmed(yes: bool | None) -> None:
            team = self.session.team
            if yes and team is not None and not team.online:
                what = f"{plan.title}, each call unclaimed"
                self.push_screen(screens.AloneScreen(what), lambda alone: start(True) if alone else None)
            elif yes:
                start(False)

        grace = self.session.grace.seconds
        self.push_screen(
            screens.BulkConfirmScreen(plan, dry_run=self.dry_run, grace_seconds=grace), confirmed
        )

    @work(group="bulk")  # not a request in flight: `bulk_sending` says it is on
    async def _run_bulk(self, plan: BulkPlan) -> None:
        bar = self.query_one(BulkBar)
        bar.show_progress(plan.title, 0, plan.count)
        try:
            report = await self.session.run_bulk(
                lambda done, total: bar.show_progress(plan.title, done, total)
            )
        finally:
            self._show_marks()
        self._report_bulk(plan, report)
        changed = tuple(outcome.call for outcome in report.outcomes if outcome.call is not None)
        if changed:
            self.table.apply(PollDiff(changed=changed), self.clock())
            self._render_header()
        if len(changed) < len(report.outcomes):
            self.action_refresh_now()  # the calls that failed: one poll tells, rather than a fetch each

    def _report_bulk(self, plan: BulkPlan, report: BulkReport) -> None:
        if self.recorder is not None:
            for outcome in report.outcomes:
                self.recorder.action(outcome, self.clock())
        text = summary(report, plan.skipped)
        clean_run = report.count("ok") + report.count("dry-run") == plan.count
        self.notify(
            text,
            title=f"{plan.title}: done",
            severity="information" if clean_run else "error",
            timeout=10 if clean_run else 30,
            markup=False,
        )
        unwritten = [outcome.audit_error for outcome in report.outcomes if outcome.audit_error]
        if unwritten:
            self.notify(
                f"Audit log not written for {len(unwritten)} calls: {clean(unwritten[0], 200)}",
                severity="error",
                timeout=30,
                markup=False,
            )
