"""Split corpus documents into chunks that follow Japanese document structure.

Rules (see ``docs/design/chunking.md``):

* Markdown headings (``#``..``#####``) and numbered heading lines
  (``1 概要``, ``(1)``, ``①``, ``第8節``) open a new section; the heading path
  is carried as context in ``Chunk.heading`` and prepended to ``index_text``.
* Prose is grouped by paragraph (a line, or a block of lines between blank
  lines for hard-wrapped PDF text) up to ``max_chars`` normalised characters.
  A longer paragraph is cut at sentence ends (``。！？``, never inside
  ``「」`` or ``（）``).
* Every tab-separated row of a "karte" table (action plan, 別表) becomes its
  own ``karte_row`` chunk with the table title and merged column headers
  attached; other tab rows with three or more cells become ``table_row``.
* ``Chunk.text`` is always an exact substring of the original lines
  ``line_start..line_end`` joined by ``"\\n"``, so any sentence of it can be
  quoted in a citation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from pitchgen.corpus import LoadedDocument
from pitchgen.ingest.normalize import join_fragment_lines, normalize_text
from pitchgen.records import Chunk

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*$")
_NUM_HEADING = re.compile(
    r"^\s*(第.{1,6}節|[0-9０-９]{1,2}[\s\t．.]|[（(][0-9０-９]{1,2}[）)]|[①-⑳]|[（(][ア-ン][）)]|【[^】]{1,20}】\s*$)"
)
_KARTE_TITLE = re.compile(r"海外展開カル?テ")
_BRACKET_COUNTRY = re.compile(r"【([^】]+)】")
_TAG = re.compile(r"</?[a-z]+>")
_SENT_END = "。！？"
_OPEN, _CLOSE = "「（(『", "」）)』"


@dataclass(frozen=True)
class ChunkerSettings:
    """Chunk size limits, in normalised characters (Japanese ~1 char/token)."""

    max_chars: int = 400
    min_chars: int = 60

    def as_dict(self) -> dict[str, int]:
        """Serialise for index manifests."""
        return {"max_chars": self.max_chars, "min_chars": self.min_chars}


def split_sentences(text: str) -> list[str]:
    """Split Japanese text after 。！？ outside brackets; pieces concatenate back to ``text``.

    >>> split_sentences("覚書に署名した。研修を実施（延べ370名。）した。次へ")
    ['覚書に署名した。', '研修を実施（延べ370名。）した。', '次へ']
    """
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        elif ch in _SENT_END and depth == 0:
            out.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        out.append(text[start:])
    return [s for s in out if s]


def _is_heading(line: str) -> tuple[int, str] | None:
    """Return (level, title) for a heading line, else None."""
    m = _MD_HEADING.match(line)
    if m:
        title = m.group(2).strip("* ").strip()
        return (len(m.group(1)), title) if title else None
    s = line.strip()
    if s and len(s) <= 40 and "。" not in s and _NUM_HEADING.match(s) and s.count("\t") <= 2:
        return (7, re.sub(r"\s+", " ", s))
    return None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


class Chunker:
    """Turns a :class:`LoadedDocument` into chunks.

    Args:
        settings: size limits.
        countries_ja: Japanese country name -> ISO 3166-1 alpha-2, used to
            set ``country_hint`` on karte rows and country sections.
    """

    def __init__(self, settings: ChunkerSettings | None = None, countries_ja: Mapping[str, str] | None = None) -> None:
        self.settings = settings or ChunkerSettings()
        if self.settings.max_chars < self.settings.min_chars or self.settings.min_chars < 1:
            raise ValueError("ChunkerSettings: need 1 <= min_chars <= max_chars")
        # longest names first so ベトナム社会主義共和国 wins over ベトナム
        self._countries = sorted((countries_ja or {}).items(), key=lambda kv: -len(kv[0]))

    def country_of(self, text: str) -> str | None:
        """First country named in ``text`` (longest name wins), or None.

        >>> Chunker(countries_ja={"ペルー": "PE", "チリ": "CL"}).country_of("【ペルー】 防災ICTシステム")
        'PE'
        """
        for name, code in self._countries:
            if name in text:
                return code
        return None

    def chunk(self, doc: LoadedDocument) -> tuple[Chunk, ...]:
        """Chunk one document. Returns chunks in document order, ids unique."""
        chunks: list[Chunk] = []
        headings: list[tuple[int, str]] = []
        para: list[tuple[int, str]] = []  # (line_no, text) of the current block
        karte: dict | None = None
        tab_header: list[str] | None = None
        slides = doc.meta.kind == "slides"

        def heading_path() -> str:
            return " > ".join(t for _, t in headings)

        def flush() -> None:
            if para:
                chunks.extend(self._prose_chunks(doc, para, heading_path(), slides))
                para.clear()

        for no, line in enumerate(doc.lines, start=1):
            h = None if (karte is not None and "\t" in line) else _is_heading(line)
            if h:
                flush()
                level, title = h
                while headings and headings[-1][0] >= level:
                    headings.pop()
                headings.append(h)
                tab_header = None
                if _KARTE_TITLE.search(title) or title.startswith("別表"):
                    karte = {"title": title, "header": None, "sub": None, "country": self.country_of(title)}
                elif level <= 2 and not title.startswith("●"):
                    karte = None
                continue
            if karte is not None and _KARTE_TITLE.search(line) and "\t" not in line:
                flush()
                title = line.strip("●# ")
                karte = {"title": title, "header": None, "sub": None, "country": self.country_of(title)}
                headings = [hh for hh in headings if hh[0] <= 1] + [(2, title)]
                continue
            if "\t" in line:
                flush()
                cells = _cells(line)
                if karte is not None:
                    chunk = self._karte_line(doc, karte, no, line, cells, heading_path())
                    if chunk:
                        chunks.append(chunk)
                    continue
                if sum(1 for c in cells if c) >= 3:
                    if tab_header is None:
                        tab_header = cells
                    chunks.append(self._table_row(doc, no, line, cells, tab_header, heading_path()))
                    continue
                # a two-cell line (table of contents, numbered heading): prose
            if not line.strip():
                if not slides:
                    flush()
                else:
                    para.append((no, line))
                continue
            if not slides and len(line) > 120:
                flush()  # one-paragraph-per-line prose
                para.append((no, line))
                flush()
                continue
            para.append((no, line))
        flush()
        return self._unique(chunks)

    # -- prose -------------------------------------------------------------
    def _prose_chunks(self, doc: LoadedDocument, para: list[tuple[int, str]], heading: str, slides: bool) -> list[Chunk]:
        # drop leading/trailing blank lines so spans are tight
        while para and not para[0][1].strip():
            para.pop(0)
        while para and not para[-1][1].strip():
            para.pop()
        if not para:
            return []
        max_chars = self.settings.max_chars
        out: list[Chunk] = []
        if len(para) == 1:
            no, line = para[0]
            for piece in self._pack(split_sentences(line), max_chars):
                if piece.strip():
                    out.append(self._make(doc, no, no, piece, normalize_text(piece), heading, "text"))
            return out
        # multi-line block: group whole lines up to max_chars
        group: list[tuple[int, str]] = []
        size = 0
        for no, line in para:
            n = len(normalize_text(line))
            if group and size + n > max_chars:
                out.append(self._block(doc, group, heading, slides))
                group, size = [], 0
            group.append((no, line))
            size += n
        if group:
            out.append(self._block(doc, group, heading, slides))
        return out

    def _block(self, doc: LoadedDocument, group: list[tuple[int, str]], heading: str, slides: bool) -> Chunk:
        start, end = group[0][0], group[-1][0]
        text = "\n".join(doc.lines[start - 1 : end])
        lines = [ln for _, ln in group]
        joined = join_fragment_lines(lines) if slides else " ".join(s.strip() for s in lines)
        return self._make(doc, start, end, text, normalize_text(joined), heading, "text")

    @staticmethod
    def _pack(sentences: list[str], max_chars: int) -> list[str]:
        """Greedily pack consecutive sentences into pieces of <= max_chars."""
        pieces: list[str] = []
        cur = ""
        for s in sentences:
            if cur and len(cur) + len(s) > max_chars:
                pieces.append(cur)
                cur = ""
            cur += s
        if cur:
            pieces.append(cur)
        return pieces

    # -- tables ------------------------------------------------------------
    def _karte_line(self, doc: LoadedDocument, karte: dict, no: int, line: str, cells: list[str], heading: str) -> Chunk | None:
        joined = "".join(cells)
        if karte["header"] is None and ("検討" in joined or "概要" in joined):
            karte["header"] = cells
            return None
        if karte["header"] is not None and karte["sub"] is None and not any(c for c in cells[:1]) and (
            "実務協議" in joined or "覚書" in joined
        ) and len(joined) < 40:
            karte["sub"] = cells
            return None
        if not joined.strip():
            return None
        names = self._karte_columns(karte, len(cells))
        pairs = [f"{name}: {normalize_text(c)}" if name else normalize_text(c) for name, c in zip(names, cells) if c]
        country = self.country_of(cells[0]) if cells and cells[0] else None
        m = _BRACKET_COUNTRY.search(line)
        if m and not country:
            country = self.country_of(m.group(1))
        country = country or karte.get("country")
        index_text = _TAG.sub(" ", " | ".join(pairs))
        return self._make(doc, no, no, line, index_text, heading, "karte_row", country)

    @staticmethod
    def _karte_columns(karte: dict, n_cells: int) -> list[str]:
        """Column names for a karte row of ``n_cells`` cells.

        Headers span merged cells: an empty header cell inherits the name on
        its left (覚書・協議フェーズ covers two columns), and the second header
        row refines it (実務協議等 / 覚書等). When a row has more cells than the
        header (the header lacks the leading category column), the header is
        shifted right by the difference; when fewer, trailing columns are
        dropped. Cell values are never moved: only their labels shift.
        """
        header = list(karte["header"] or [])
        sub = list(karte["sub"] or [])
        if header and header[0]:
            # this table's header has no cell over the category column
            header, sub = [""] + header, [""] + sub
        names: list[str] = []
        last = ""
        for i, h in enumerate(header):
            h = normalize_text(h)
            if h:
                last = h
            s = normalize_text(sub[i]) if i < len(sub) else ""
            names.append(f"{last}（{s}）" if s else (h or (last if i > 0 else "分野")))
        if names and not names[0]:
            names[0] = "分野"
        if n_cells > len(names):
            names = ["分野"] * (n_cells - len(names)) + names
        return names[:n_cells]

    def _table_row(self, doc: LoadedDocument, no: int, line: str, cells: list[str], header: list[str], heading: str) -> Chunk:
        if cells is header:
            index_text = " | ".join(normalize_text(c) for c in cells if c)
        else:
            pairs = [
                f"{normalize_text(h)}: {normalize_text(c)}" if h else normalize_text(c)
                for h, c in zip(header + [""] * len(cells), cells)
                if c
            ]
            index_text = " | ".join(pairs)
        return self._make(doc, no, no, line, index_text, heading, "table_row", self.country_of(line))

    # -- common --------------------------------------------------------------
    def _make(self, doc, start, end, text, index_text, heading, kind, country=None) -> Chunk:
        if country is None and kind == "text":
            country = self.country_of(heading.rsplit(" > ", 1)[-1]) if heading else None
        prefix = normalize_text(heading.replace(" > ", " ")) if heading else ""
        return Chunk(
            chunk_id=f"{doc.meta.doc_id}:{start}-{end}",
            doc_id=doc.meta.doc_id,
            source_file=doc.meta.source_file,
            line_start=start,
            line_end=end,
            heading=heading,
            text=text,
            index_text=f"{prefix} | {index_text}" if prefix else index_text,
            kind=kind,
            country_hint=country,
        )

    @staticmethod
    def _unique(chunks: list[Chunk]) -> tuple[Chunk, ...]:
        seen: dict[str, int] = {}
        out = []
        for c in chunks:
            n = seen.get(c.chunk_id, 0)
            seen[c.chunk_id] = n + 1
            out.append(c if n == 0 else c.model_copy(update={"chunk_id": f"{c.chunk_id}#{n}"}))
        return tuple(out)
