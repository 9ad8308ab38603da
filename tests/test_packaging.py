"""What an installed calltui needs besides its Python modules is in the wheel (`uv tool install .`)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_file_the_app_reads_is_package_data() -> None:
    """A stylesheet left out of the wheel stops an installed calltui at start-up, wherever it is run."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    data = [
        path
        for path in (ROOT / "calltui").rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    ]
    assert any(path.name == "app.tcss" for path in data)
    assert [path for path in data if not any(fnmatch(path.name, pattern) for pattern in patterns)] == []
