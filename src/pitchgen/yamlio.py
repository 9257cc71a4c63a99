"""Reading the project's YAML and JSON-lines files with errors that name the file, the line and the fix."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import yaml

from pitchgen.errors import CorpusError, PitchgenError


def load_yaml(path: str | Path, error: type[PitchgenError] = CorpusError, missing_fix: str = "restore it from git") -> tuple[object, str]:
    """Parse a YAML file; returns (data, raw text). An empty file gives ``{}``.

    Raises:
        ``error`` (default CorpusError): the file is missing (with ``missing_fix``)
            or is not valid YAML (with the 1-based line of the problem).
    """
    path = Path(path)
    if not path.is_file():
        raise error("file missing", path=path, fix=missing_fix)
    text = path.read_text(encoding="utf-8")
    try:
        return (yaml.safe_load(text) or {}), text
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise error(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", path=path,
                    line=mark.line + 1 if mark else None, fix="correct the YAML (quote strings that contain ': ')") from exc


def json_lines(path: str | Path, what: str, fix: str, required: Sequence[str] = (), error: type[PitchgenError] = CorpusError,
               missing_fix: str = "pass a JSON-lines file") -> list[tuple[int, dict]]:
    """Parse a JSON-lines file: one object per line, blank lines skipped; returns (1-based line, object) pairs.

    Args:
        path: the file (UTF-8).
        what: what a line is, for messages ("batch line", "claim-set line").
        fix: how to write a good line.
        required: keys every object must have.
        error: the error class raised.
        missing_fix: what to do when the file is missing.

    Raises:
        ``error``: the file is missing or holds no object, or a line is not a JSON object or lacks a
            required key (with the line number).
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{what}s file {path} not found", path=path, fix=missing_fix)
    out: list[tuple[int, dict]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise error(f"bad {what}: {exc}", path=path, line=n, fix=fix) from None
        if not isinstance(item, dict):
            raise error(f"bad {what}: not a JSON object", path=path, line=n, fix=fix)
        missing = [k for k in required if k not in item]
        if missing:
            raise error(f"bad {what}: missing {', '.join(map(repr, missing))}", path=path, line=n, fix=fix)
        out.append((n, item))
    if not out:
        raise error(f"{path.name} has no {what}s", path=path, fix=fix)
    return out
