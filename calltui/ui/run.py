"""Wires the real parts together for one run of the app: gateway, audit log, history, app."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from calltui.config import ConfigError
from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog, AuditLogError
from calltui.monitor.history import UrlHistory
from calltui.monitor.recording import RecordingError, SqliteRecorder
from calltui.paths import default_audit_log, default_url_history
from calltui.settings import Settings
from calltui.ui.app import CallTuiApp
from calltui.userconfig import load_user_config


def build_app(settings: Settings, warnings: Sequence[str] = ()) -> CallTuiApp:
    """Raises AuditLogError when the audit log cannot be written (refusing to start beats losing it),
    ConfigError when the user's config.toml is malformed, RecordingError when `--record` cannot be."""
    user_config = load_user_config()
    audit = AuditLog(settings.audit_log or default_audit_log())
    audit.open()
    recorder = None
    if settings.record is not None:
        recorder = SqliteRecorder(
            settings.record,
            account_sid=settings.account_sid,
            interval=settings.interval,
            linger=settings.linger,
        )
        recorder.open()
    return CallTuiApp(
        TwilioGateway(settings),
        account_sid=settings.account_sid,
        audit=audit,
        history=UrlHistory(default_url_history()),
        interval=settings.interval,
        read_only=settings.read_only,
        linger=settings.linger,
        startup_warnings=warnings,
        user_config=user_config,
        recorder=recorder,
    )


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
    return 0
