"""Wires the real parts together for one run of the app: gateway, audit log, history, app."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from calltui.config import ConfigError
from calltui.domain.call import utcnow
from calltui.domain.gateway import CallGateway
from calltui.gateway import TwilioGateway
from calltui.monitor.accounts import (
    AccountChoice,
    AccountSwitcher,
    Candidates,
    calltui_choices,
    color_warnings,
    for_session,
    gather,
    settings_for,
    twilio_cli_choices,
    twilio_cli_config,
)
from calltui.monitor.audit import AuditLog, AuditLogError, Origin, read_entries
from calltui.monitor.history import UrlHistory
from calltui.monitor.recording.format import RecordingError
from calltui.monitor.redirects import RedirectMemory
from calltui.monitor.skew import TwilioClock
from calltui.monitor.team.link import TeamConfig
from calltui.monitor.unanswered import close_unanswered, find_unanswered, unanswered_notice
from calltui.paths import default_audit_log, default_url_history
from calltui.settings import Settings
from calltui.ui.app import CallTuiApp
from calltui.userconfig import Profile, load_user_config


def build_app(settings: Settings, warnings: Sequence[str] = ()) -> CallTuiApp:
    """Raises AuditLogError when the audit log cannot be written (refusing to start beats losing it),
    ConfigError when the user's config.toml is malformed, RecordingError when `--record` cannot be."""
    user_config = load_user_config()
    audit = AuditLog(settings.audit_log or default_audit_log(), Origin.new(settings.operator))
    audit.open()
    entries = list(read_entries(audit.path))
    unanswered = find_unanswered(entries)
    close_unanswered(audit, unanswered, utcnow())  # reported this once, as the outcome it is: unknown
    notice = unanswered_notice(unanswered)
    recorder = None
    if settings.record is not None:
        from calltui.monitor.recording import SqliteRecorder  # here: only `--record` needs the writer

        recorder = SqliteRecorder(
            settings.record,
            account_sid=settings.account_sid,
            interval=settings.interval,
            linger=settings.linger,
        )
        recorder.open()
    clock = TwilioClock()  # durations and alerts on Twilio's clock, learnt from its answers' Date header
    return CallTuiApp(
        TwilioGateway(settings, on_date=clock.observe),
        clock=clock,
        account_sid=settings.account_sid,
        audit=audit,
        history=UrlHistory(default_url_history()),
        interval=settings.interval,
        read_only=settings.read_only,
        linger=settings.linger,
        startup_warnings=[*warnings, *color_warnings(user_config.profiles), *([notice] if notice else [])],
        user_config=user_config,
        dry_run=settings.dry_run,
        redirects=RedirectMemory.from_audit(entries),
        accounts=account_switcher(settings, user_config.profiles, os.environ, Path.home(), clock),
        recorder=recorder,
        team=team_config(settings),
        unanswered=unanswered,
    )


def team_config(settings: Settings) -> TeamConfig | None:
    """Team mode, when `--team` / `CALLTUI_TEAM_URL` is set: teammates know this instance by `--name`."""
    if settings.team_url is None:
        return None
    return TeamConfig(settings.team_url, settings.operator, request_timeout=settings.request_timeout)


def account_switcher(
    settings: Settings,
    profiles: Sequence[Profile],
    environ: Mapping[str, str],
    home: Path,
    clock: TwilioClock | None = None,
) -> AccountSwitcher:
    """Switching builds a gateway from the live settings: a subaccount is reached with the credentials
    in use, a profile with its own."""
    live = settings

    def connect(choice: AccountChoice) -> CallGateway:
        nonlocal live
        wanted = settings_for(live, choice)
        gateway = TwilioGateway(wanted, on_date=clock.observe if clock else None)
        live = wanted
        return gateway

    def profiles_on_file() -> Candidates:
        found = gather(
            [
                lambda: Candidates(calltui_choices(profiles, environ)),
                lambda: twilio_cli_choices(twilio_cli_config(environ, home)),
            ]
        )
        return for_session(found, settings)

    return AccountSwitcher(connect, profiles_on_file)


def run_app(settings: Settings, warnings: Sequence[str] = ()) -> int:
    """Run until the engineer quits; 2 (with one line on stderr) when the audit log cannot be written."""
    try:
        app = build_app(settings, warnings)
    except AuditLogError as exc:
        print(f"calltui: {exc} (choose another with --audit-log PATH)", file=sys.stderr)
        return 2
    except (ConfigError, RecordingError) as exc:
        print(f"calltui: {exc}", file=sys.stderr)
        return 2
    app.run()
    return app.return_code or 0  # 128 + the signal when SIGHUP or SIGTERM closed it
