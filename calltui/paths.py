"""Where calltui keeps its files, per the platform's conventions (XDG on Linux)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "calltui"


def config_dir() -> Path:
    return user_config_path(APP_NAME)


def data_dir() -> Path:
    return user_data_path(APP_NAME)


def default_audit_log() -> Path:
    return data_dir() / "audit.jsonl"


def default_url_history() -> Path:
    return config_dir() / "redirect-history.json"
