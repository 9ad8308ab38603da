"""The `calltui` command: parse flags, resolve settings, run the app (or the standalone simulator)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from calltui import __version__
from calltui.config import ConfigError, env_file_warning, load_settings, read_env_file, resolve_env_file
from calltui.settings import Settings

DEMO_HOST = "127.0.0.1"


def build_parser() -> argparse.ArgumentParser:
    # No defaults are read from the environment here, so --help can never print a secret.
    parser = argparse.ArgumentParser(
        prog="calltui",
        description="Watch live Twilio calls; redirect them to new TwiML or hang them up.",
        epilog="Credentials come from the environment or .env (see .env.example), never from flags.",
    )
    parser.add_argument("--version", action="version", version=f"calltui {__version__}")
    parser.add_argument("--api-url", metavar="URL", help="a Twilio-compatible API base URL (CALLTUI_API_URL)")
    parser.add_argument(
        "--interval", metavar="S", help="seconds between polls, default 2 (CALLTUI_POLL_INTERVAL)"
    )
    parser.add_argument("--read-only", action="store_true", help="never redirect or hang up calls")
    parser.add_argument(
        "--dry-run", action="store_true", help="rehearse: prompts and the audit log work, nothing is sent"
    )
    parser.add_argument("--demo", action="store_true", help="run against a built-in simulated account")
    parser.add_argument("--env-file", metavar="PATH", help="read settings from PATH (default: ./.env)")
    parser.add_argument("--audit-log", metavar="PATH", help="append actions to PATH (CALLTUI_AUDIT_LOG)")
    parser.add_argument(
        "--name",
        metavar="NAME",
        help="who is operating, named in the audit log (CALLTUI_NAME; default user@host)",
    )
    parser.add_argument(
        "--team",
        metavar="URL",
        help="team mode: share polls, actions and claims through this Redis (CALLTUI_TEAM_URL)",
    )
    parser.add_argument(
        "--record", metavar="FILE", help="keep every poll and action in FILE (new) for `calltui replay`"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    simulate = commands.add_parser(
        "simulate",
        help="serve the Twilio-compatible simulator over HTTP",
        description="Serve a simulated Twilio Calls API. Credentials: TWILIO_ACCOUNT_SID and "
        "TWILIO_AUTH_TOKEN from the environment or .env when set.",
    )
    simulate.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    simulate.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    simulate.add_argument("--seed", type=int, default=1, help="random seed for calls and traffic")
    simulate.add_argument("--calls", type=int, default=40, help="live calls to keep about (default 40)")
    replay = commands.add_parser(
        "replay",
        help="play back a session recorded with --record",
        description="Play back a recorded session: space pauses, arrows seek, + and - change the speed.",
    )
    replay.add_argument("file", metavar="FILE", help="the recording (made with --record FILE)")
    replay.add_argument(
        "--team",
        action="store_true",
        help="export the team's streams (CALLTUI_TEAM_URL, TWILIO_ACCOUNT_SID) to FILE (new), then play it",
    )
    audit = commands.add_parser(
        "audit",
        help="check or read an audit log",
        description="verify: is the hash chain intact, and where does it break (exit 1). "
        "show: the log as a table, or JSON lines with --json.",
    )
    audit.add_argument("audit_command", choices=("verify", "show"), metavar="verify|show")
    audit.add_argument("file", metavar="FILE", help="the audit log (see --audit-log)")
    audit.add_argument("--json", action="store_true", help="show: one JSON object per line, for scripts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "replay":
        return _replay(Path(args.file), team=args.team)
    if args.command == "audit":
        from calltui.audit_cmd import run_audit

        return run_audit(args.audit_command, Path(args.file), as_json=args.json)
    try:
        env_file = resolve_env_file(args.env_file)
        if args.command == "simulate":
            return _simulate(args, env_file)
        settings = load_settings(args, os.environ, env_file)
    except ConfigError as exc:
        print(f"calltui: {exc}", file=sys.stderr)
        return 2
    warning = env_file_warning(env_file)
    if warning:
        # Printed for scripts, and shown again inside the app, which hides stderr once it draws.
        print(f"calltui: warning: {warning}", file=sys.stderr)
    warnings = [warning] if warning else []
    return _demo(settings, warnings) if settings.demo else _run(settings, warnings)


def _run(settings: Settings, warnings: list[str]) -> int:
    from calltui.ui.gc_pacing import held_until_painted

    with held_until_painted():
        from calltui.ui.run import run_app  # Imported late: --help, --version and config errors stay fast.

        return run_app(settings, warnings)


def _replay(path: Path, *, team: bool = False) -> int:
    from calltui.ui.replay.run import run_replay  # Imported late, like the app.

    if team:
        problem = _export_team(path)
        if problem:
            print(f"calltui replay --team: {problem}", file=sys.stderr)
            return 2
    return run_replay(path)


def _export_team(path: Path) -> str | None:
    """Export the team's streams to `path`; why not, in one line (never the URL)."""
    import asyncio

    from calltui.domain.call import ACCOUNT_SID_RE
    from calltui.monitor.recording import RecordingError
    from calltui.monitor.team.export import export_team
    from calltui.monitor.team.link import TeamUnavailable
    from calltui.monitor.team.url import check_team_url
    from calltui.secret import Secret

    try:
        found = read_env_file(resolve_env_file(None))
    except ConfigError as exc:
        return str(exc)
    url = os.environ.get("CALLTUI_TEAM_URL") or found.get("CALLTUI_TEAM_URL") or ""
    account = os.environ.get("TWILIO_ACCOUNT_SID") or found.get("TWILIO_ACCOUNT_SID") or ""
    if not url or check_team_url(url):
        return "CALLTUI_TEAM_URL is not set to a redis:// or rediss:// URL"
    if not ACCOUNT_SID_RE.fullmatch(account):
        return "TWILIO_ACCOUNT_SID is not set to an account SID (AC…)"
    try:
        exported = asyncio.run(export_team(Secret(url), account, path))
    except TeamUnavailable:
        return "the team's Redis cannot be reached"
    except RecordingError as exc:
        return str(exc)
    print(f"calltui: {exported.polls} polls and {exported.actions} action steps exported to {path}")
    return None


def _demo(settings: Settings, warnings: list[str]) -> int:
    """Run the app against an embedded simulator that knows the generated demo credentials."""
    from calltui.simulator import Simulator
    from calltui.simulator.demo import add_demo_subaccounts

    simulator = Simulator(
        account_sid=settings.account_sid,
        auth_token=settings.secret.reveal(),  # the simulator must know it to check requests
        seed=7,
        initial_calls=40,
        traffic=True,
        target_active=40,
        friendly_name="calltui demo",
    )
    add_demo_subaccounts(simulator)
    base_url = simulator.start_in_thread(DEMO_HOST, 0)
    try:
        return _run(replace(settings, api_url=base_url), warnings)
    finally:
        simulator.stop_thread()


def _simulate(args: argparse.Namespace, env_file: Path | None) -> int:
    from calltui.simulator import run_standalone

    file_values = read_env_file(env_file)

    def lookup(key: str) -> str | None:
        return os.environ.get(key) or file_values.get(key) or None

    try:
        run_standalone(
            host=args.host,
            port=args.port,
            seed=args.seed,
            target_active=args.calls,
            account_sid=lookup("TWILIO_ACCOUNT_SID"),
            auth_token=lookup("TWILIO_AUTH_TOKEN"),
        )
    except ValueError as exc:  # an account SID the simulator cannot serve
        print(f"calltui simulate: TWILIO_ACCOUNT_SID: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the port is taken, or the address is not ours
        where = f"{args.host}:{args.port}"
        print(f"calltui simulate: cannot listen on {where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
