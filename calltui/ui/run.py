"""Wires the real parts together for one run of the app: gateway, audit log, history, app."""

from __future__ import annotations

from calltui.gateway import TwilioGateway
from calltui.monitor.audit import AuditLog
from calltui.monitor.history import UrlHistory
from calltui.paths import default_audit_log, default_url_history
from calltui.settings import Settings
from calltui.ui.app import CallTuiApp


def build_app(settings: Settings) -> CallTuiApp:
    """Raises AuditLogError when the audit log cannot be written: better to refuse to start than to lose it."""
    audit = AuditLog(settings.audit_log or default_audit_log())
    audit.open()
    return CallTuiApp(
        TwilioGateway(settings),
        account_sid=settings.account_sid,
        audit=audit,
        history=UrlHistory(default_url_history()),
        interval=settings.interval,
        read_only=settings.read_only,
        linger=settings.linger,
    )


def run_app(settings: Settings, demo_simulator: object | None = None) -> int:
    build_app(settings).run()
    return 0
