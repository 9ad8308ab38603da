"""Where calltui keeps its files, per the platform's conventions (XDG on Linux)."""

from __future__ import annotations

import os
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


def open_private(path: Path, *, overwrite: bool) -> int:
    """A descriptor writing `path` from empty, readable by its owner only (calls, numbers and URLs are
    personal or internal data). A symbolic link is refused (ELOOP) rather than followed: the engineer named
    the link, not where it points. Without `overwrite`, an existing file raises FileExistsError."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (0 if overwrite else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    try:
        # An existing file keeps its mode through open(2). Narrow it before truncating, so a file that
        # cannot be narrowed (someone else's) is left whole.
        os.fchmod(fd, 0o600)
        os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd
