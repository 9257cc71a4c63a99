"""The policy corpus: manifest, original lines, and citation resolution.

Lines are counted exactly as ``sed`` counts them: the file is split on
``"\\n"`` only (not on other Unicode line breaks), and a final newline does not
open an extra line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from pitchgen.errors import CitationError, CorpusError
from pitchgen.records import Citation, SourceDocument


def split_lines(text: str) -> list[str]:
    """Split text into lines the way ``sed``/``wc -l`` see them.

    >>> split_lines("総務省\\n行動計画\\n")
    ['総務省', '行動計画']
    >>> split_lines("a\\u2028b\\nc")
    ['a\\u2028b', 'c']
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass(frozen=True)
class LoadedDocument:
    """A :class:`SourceDocument` with its original lines (index 0 is line 1)."""

    meta: SourceDocument
    path: Path
    lines: tuple[str, ...] = field(repr=False)

    def span(self, line_start: int, line_end: int) -> str:
        """Original text of lines ``line_start..line_end`` (1-based, inclusive).

        Raises:
            CitationError: if the span is empty or outside the document.
        """
        n = len(self.lines)
        if not (1 <= line_start <= line_end <= n):
            raise CitationError(
                f"line span {line_start}-{line_end} is outside {self.meta.source_file} (1-{n})",
                fix=f"cite lines between 1 and {n}, start <= end",
                path=self.path,
            )
        return "\n".join(self.lines[line_start - 1 : line_end])


class Corpus:
    """The documents listed in a manifest, loaded once.

    Args:
        manifest_path: ``corpus/policy/manifest.yaml``; document files are
            looked up beside it.

    Raises:
        CorpusError: the manifest is missing or malformed, a file is missing,
            or two entries share a doc id or file name.
    """

    def __init__(self, manifest_path: str | Path) -> None:
        self.manifest_path = Path(manifest_path)
        if not self.manifest_path.is_file():
            raise CorpusError(
                "corpus manifest not found",
                path=self.manifest_path,
                fix="run from the project root or pass --corpus pointing at corpus/",
            )
        try:
            raw = yaml.safe_load(self.manifest_path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise CorpusError(
                f"manifest is not valid YAML: {exc}",
                path=self.manifest_path,
                line=line + 1 if line is not None else None,
                fix="correct the YAML syntax",
            ) from exc
        entries = (raw or {}).get("documents")
        if not isinstance(entries, list) or not entries:
            raise CorpusError(
                "manifest has no 'documents' list",
                path=self.manifest_path,
                fix="add a 'documents:' list",
            )
        docs: dict[str, LoadedDocument] = {}
        by_file: dict[str, str] = {}
        for i, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or "source_file" not in entry:
                raise CorpusError(
                    f"manifest entry {i} has no source_file",
                    path=self.manifest_path,
                    fix="give every entry doc_id, source_file, title_ja, title_en, publisher, date, licence",
                )
            path = self.manifest_path.parent / entry["source_file"]
            if not path.is_file():
                raise CorpusError(
                    f"document {entry['source_file']!r} listed in the manifest is missing",
                    path=self.manifest_path,
                    fix=f"copy it to {path.parent}/ or remove the entry",
                )
            lines = tuple(split_lines(path.read_text(encoding="utf-8")))
            try:
                meta = SourceDocument(**entry, n_lines=max(1, len(lines)))
            except ValidationError as exc:
                raise CorpusError(
                    f"manifest entry {i} is invalid: {exc.errors()[0]['msg']} ({exc.errors()[0]['loc']})",
                    path=self.manifest_path,
                    fix="give every entry doc_id, source_file, title_ja, title_en, publisher, date, licence",
                ) from exc
            if meta.doc_id in docs or meta.source_file in by_file:
                raise CorpusError(
                    f"duplicate doc_id or source_file in manifest entry {i}: {meta.doc_id}",
                    path=self.manifest_path,
                    fix="make doc ids and file names unique",
                )
            docs[meta.doc_id] = LoadedDocument(meta=meta, path=path, lines=lines)
            by_file[meta.source_file] = meta.doc_id
        self._docs = docs
        self._by_file = by_file

    @property
    def documents(self) -> tuple[LoadedDocument, ...]:
        """The documents in manifest order."""
        return tuple(self._docs.values())

    def get(self, ref: str) -> LoadedDocument:
        """Look a document up by doc id or original file name.

        Raises:
            CitationError: no such document; the message lists the valid ids.
        """
        if ref in self._docs:
            return self._docs[ref]
        if ref in self._by_file:
            return self._docs[self._by_file[ref]]
        raise CitationError(
            f"unknown document {ref!r}",
            fix=f"use one of: {', '.join(self._docs)} (or their file names)",
        )

    def content_hash(self) -> str:
        """SHA-256 over the manifest and every document's bytes (hex)."""
        h = hashlib.sha256(self.manifest_path.read_bytes())
        for d in self.documents:
            h.update(d.meta.source_file.encode())
            h.update(d.path.read_bytes())
        return h.hexdigest()

    def resolve(self, citation: Citation) -> str:
        """Check a citation and return its original span text.

        Raises:
            CitationError: unknown document, lines out of range, doc id and
                file name disagreeing, or a quote that is not an exact
                substring of the span.
        """
        doc = self.get(citation.doc_id)
        if doc.meta.source_file != citation.source_file:
            raise CitationError(
                f"citation names doc {citation.doc_id!r} but file {citation.source_file!r}",
                fix=f"the file of {citation.doc_id} is {doc.meta.source_file}",
            )
        span = doc.span(citation.line_start, citation.line_end)
        if citation.quote not in span:
            raise CitationError(
                f"quote {citation.quote[:40]!r} is not in {doc.meta.source_file} "
                f"lines {citation.line_start}-{citation.line_end}",
                fix="copy the quote verbatim from those lines, or correct the line span",
            )
        return span

    def cite(self, doc_id: str, line_start: int, line_end: int, quote: str) -> Citation:
        """Build a citation and verify it resolves (see :meth:`resolve`)."""
        doc = self.get(doc_id)
        c = Citation(
            doc_id=doc.meta.doc_id,
            source_file=doc.meta.source_file,
            line_start=line_start,
            line_end=line_end,
            quote=quote,
        )
        self.resolve(c)
        return c
