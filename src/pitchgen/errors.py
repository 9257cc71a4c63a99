"""One error tree for pitchgen.

Every error a user can meet derives from :class:`PitchgenError` and carries the
data needed to act on it (file, line, value, allowed values) plus a ``fix``
sentence. The CLI prints ``str(error)`` and exits with ``error.exit_code``.

>>> e = UnknownValueError("country", "XX", ["VN", "PE"])
>>> print(e)
unknown country 'XX'. Valid values: PE, VN
>>> e.exit_code
2
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class PitchgenError(Exception):
    """Root of every pitchgen error.

    Args:
        message: what went wrong, in one sentence.
        fix: what the user should do about it (appended after ``Fix:``).
        path: the file concerned, if any.
        line: 1-based line in ``path``, if known.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        fix: str | None = None,
        path: str | Path | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.fix = fix
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


class UsageError(PitchgenError):
    """Bad command-line input (exit code 2)."""

    exit_code = 2


class UnknownValueError(UsageError):
    """A value outside a closed vocabulary (country, sector, language).

    Attributes:
        field: which option was wrong, e.g. ``"sector"``.
        value: what the user gave.
        allowed: the sorted valid values.
    """

    def __init__(self, field: str, value: str, allowed: Iterable[str]) -> None:
        self.field = field
        self.value = value
        self.allowed = sorted(allowed)
        super().__init__(f"unknown {field} {value!r}. Valid values: {', '.join(self.allowed)}")


class OutputExistsError(UsageError):
    """The output path exists and ``--force`` was not given."""


class CorpusError(PitchgenError):
    """The corpus or its manifest is missing, malformed or inconsistent."""


class CitationError(CorpusError):
    """A citation names a document, a line span or a quote that does not exist."""


class RetrievalError(PitchgenError):
    """Index build, load or query failed."""


class ModelLoadError(RetrievalError):
    """An embedding model could not be loaded (offline, wrong path)."""


class IndexStaleError(RetrievalError):
    """A persisted index does not match the corpus or settings (see its manifest)."""


class GenerationError(PitchgenError):
    """The generator could not build a deck plan."""


class TemplateError(PitchgenError):
    """A PPTX or DOCX template lacks a layout, placeholder or tag."""


class LocaleError(PitchgenError):
    """An unsupported language or locale."""


class VerificationError(PitchgenError):
    """A check crashed or its input is malformed (never a silent pass)."""
