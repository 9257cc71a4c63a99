"""Atomic file writes: a partial file never replaces a user's file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_save(out_path: str | Path, save: Callable[[str], None]) -> Path:
    """Write ``out_path`` through ``save(tmp_name)`` into a sibling temporary file, then swap it in.

    The parent folder is created. If ``save`` raises, the temporary file is
    removed and ``out_path`` is left as it was. The result is readable by all
    (0644), like a file written with ``open``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_save(d / "a.txt", lambda tmp: pathlib.Path(tmp).write_text("総務省", encoding="utf-8")).read_text(encoding="utf-8")
    '総務省'
    """
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    try:
        save(tmp_name)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out_path


def atomic_write_text(out_path: str | Path, text: str) -> Path:
    """:func:`atomic_save` for UTF-8 text."""
    return atomic_save(out_path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
