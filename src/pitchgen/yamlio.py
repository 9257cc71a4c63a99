"""Reading the project's YAML data files with errors that name the file, the line and the fix."""

from __future__ import annotations

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
