"""Visible text of a generated deck and brief, and two checks on it.

Two parts:

* reading (adapters at the edge, the only place here that imports python-pptx
  and python-docx): :func:`deck_units` and :func:`brief_units` turn
  ``deck.pptx`` and ``brief.docx`` into :class:`TextUnit` records, one per
  slide paragraph, table cell, brief paragraph or brief table cell. Speaker
  notes are never read.
* pure checks on those records:

  - :func:`japanese_runs` / :func:`partner_language_findings`: Japanese
    script (hiragana, katakana, CJK ideographs, Japanese punctuation and
    full-width forms) outside quotation marks, in a non-Japanese output;
  - :func:`form_occurrences` / :func:`terminology_findings`: which glossary
    forms of one term are used across deck and brief.

Reference entries of the brief. ``render/docx_render.py`` writes the
reference list through the template ``templates/docx/build_template.py`` as
one paragraph per citation, after the last heading of the document (the
localized "references" heading)::

    [3a] {title} — {source_file}, {lines_label} {line_start}–{line_end}: 「{quote}」

``title`` is the manifest title ("総務省海外展開行動計画2020 / MIC Overseas
Deployment Action Plan 2020"), ``source_file`` the corpus file name and
``quote`` the original Japanese quote: all three name or quote a Japanese
source document, so Japanese is allowed there. A paragraph counts as a
reference entry only when it comes after the last heading-styled paragraph
*and* matches :data:`REFERENCE_ENTRY`; the number and the lines label of
an entry are still checked (a Japanese "行" label in a Spanish brief fails).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pitchgen.glossary import FormMatch, Glossary, Term, fold_text

UnitKind = Literal["slide", "brief", "reference"]

# Japanese script: CJK symbols and punctuation (、。「」『』〜, U+3000-303F), hiragana,
# katakana (U+3040-30FF), katakana phonetic extensions, CJK extension A, unified
# ideographs, compatibility ideographs, and half/full-width forms (（）：０-９ＡＢ, ｶﾀｶﾅ).
_JA_CHARS = "\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f"
_JA_RUN = re.compile(f"[{_JA_CHARS}]+")
# Quoted names: 「…」, 『…』, “…”, "…" (straight quotes pair up within one unit).
_QUOTED = re.compile(r"「[^」]*」|『[^』]*』|“[^”]*”|\"[^\"\n]*\"")

REFERENCE_ENTRY = re.compile(
    r"^\[(?P<number>\d+(?:[a-z]|\.\d+)?)\] (?P<title>.*?) — (?P<source>[^,\n]+), "
    r"(?P<label>[^\n]*?)\s*(?P<start>\d+)–(?P<end>\d+): 「(?P<quote>.*)」\s*$",
    re.S,
)
"""One reference entry of the brief, as ``build_template.py`` writes it (see the module docstring)."""

Severity = Literal["fail", "warn"]


@dataclass(frozen=True)
class TextUnit:
    """One piece of visible text of the output.

    Attributes:
        where: human-readable place: ``"slide 3, Text Placeholder 2"``,
            ``"slide 5, table 'Table 4' row 2 cell 1"``, ``"brief paragraph 12"``
            (1-based over every body paragraph, empty ones included),
            ``"brief table 1 row 2 cell 3"``.
        text: the text, as python-pptx / python-docx return it.
        kind: ``"slide"``, ``"brief"`` or ``"reference"`` (a brief reference entry).
        slide: 1-based slide number for slide units, else None.
    """

    where: str
    text: str
    kind: UnitKind
    slide: int | None = None


# --- reading ----------------------------------------------------------------------


def _shape_units(shape, n: int, prefix: str = "") -> Iterator[TextUnit]:
    """Units of one shape on slide ``n``: text-frame paragraphs, table cells, group members."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    name = f"{prefix}{shape.name}"
    if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
        for member in shape.shapes:
            yield from _shape_units(member, n, prefix=f"{name} > ")
        return
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        for paragraph in shape.text_frame.paragraphs:
            text = paragraph.text
            if text.strip():
                yield TextUnit(where=f"slide {n}, {name}", text=text, kind="slide", slide=n)
    if getattr(shape, "has_table", False) and shape.has_table:
        for r, row in enumerate(shape.table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                if cell.text.strip():
                    yield TextUnit(where=f"slide {n}, table '{name}' row {r} cell {c}", text=cell.text,
                                   kind="slide", slide=n)


def read_deck(deck_path: str | Path) -> tuple[list[TextUnit], list[str]]:
    """``deck.pptx`` read once: its visible text units (see :func:`deck_units`) and each slide's speaker notes.

    Returns:
        (units in slide then shape order, notes text per slide, ``""`` for a slide without notes).

    Raises:
        Exception: whatever python-pptx raises for a missing or broken file
            (:func:`pitchgen.verify.checks.evaluate_dir` turns it into failed checks).
    """
    from pptx import Presentation  # adapter at the edge: only read here

    prs = Presentation(str(deck_path))
    units: list[TextUnit] = []
    notes: list[str] = []
    for n, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            units.extend(_shape_units(shape, n))
        notes.append(slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "")
    return units, notes


def deck_units(deck_path: str | Path) -> list[TextUnit]:
    """Visible slide text of ``deck.pptx``: titles, subtitles, bullets, table cells, grouped shapes.

    Speaker notes are not read. One unit per non-empty text-frame paragraph
    and per non-empty table cell, in slide then shape order.

    Raises:
        Exception: whatever python-pptx raises for a missing or broken file.
    """
    return read_deck(deck_path)[0]


def brief_units(brief_path: str | Path) -> list[TextUnit]:
    """Visible body text of ``brief.docx``: paragraphs and table cells in document order.

    Reference entries (see the module docstring) get ``kind="reference"``.
    Headers, footers and comments are not read; nested tables are.

    Raises:
        Exception: whatever python-docx raises for a missing or broken file.
    """
    import docx  # adapter at the edge: only read here
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(brief_path))

    def cells(table: Table, where: str) -> Iterator[TextUnit]:
        seen: list = []  # a merged cell is returned once per grid position; read it once (kept alive, so `is` holds)
        for r, row in enumerate(table.rows, start=1):
            for c, cell in enumerate(row.cells, start=1):
                if any(cell._tc is tc for tc in seen):
                    continue
                seen.append(cell._tc)
                for p in cell.paragraphs:
                    if p.text.strip():
                        yield TextUnit(where=f"{where} row {r} cell {c}", text=p.text, kind="brief")
                for k, inner in enumerate(cell.tables, start=1):
                    yield from cells(inner, f"{where} row {r} cell {c} table {k}")

    blocks: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document._body))
        elif tag == "tbl":
            blocks.append(Table(child, document._body))
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    last_heading = max((n for n, p in enumerate(paragraphs, start=1)
                        if p.style is not None and p.style.name.startswith(("Heading", "Title"))), default=0)
    units: list[TextUnit] = []
    n_par = n_tab = 0
    for block in blocks:
        if isinstance(block, Table):
            n_tab += 1
            units.extend(cells(block, f"brief table {n_tab}"))
            continue
        n_par += 1
        if block.text.strip():
            kind: UnitKind = "reference" if n_par > last_heading and REFERENCE_ENTRY.match(block.text) else "brief"
            units.append(TextUnit(where=f"brief paragraph {n_par}", text=block.text, kind=kind))
    return units


# --- check 1: partner-language text -------------------------------------------------


def japanese_runs(text: str) -> list[str]:
    """Runs of Japanese script left after removing quoted names (「…」, 『…』, “…”, "…").

    Japanese script here: hiragana, katakana, CJK ideographs, Japanese
    punctuation (U+3000-303F: 、。「」〜) and half/full-width forms (（）：).

    >>> japanese_runs("Hệ thống 「地上デジタル放送日本方式」 [3]")
    []
    >>> japanese_runs("Sistema EWBS 緊急警報, “総務省”")
    ['緊急警報']
    >>> japanese_runs("Perú（sistema）。")
    ['（', '）。']
    """
    return _JA_RUN.findall(_QUOTED.sub(" ", text))


def reference_free_text(text: str) -> str:
    """The parts of a reference entry that must be in the partner language.

    Drops the title, the source file name and the 「quote」 of an entry that
    matches :data:`REFERENCE_ENTRY`; any other text is returned unchanged.

    >>> reference_free_text("[2] 総務省海外展開行動計画2020 / MIC Plan — 000_x.txt, líneas 404–404: 「電子政府」")
    '[2] líneas 404–404'
    >>> reference_free_text("[2] 総務省 — 000_x.txt, 行 4–4: 「電子政府」")
    '[2] 行 4–4'
    """
    m = REFERENCE_ENTRY.match(text)
    if not m:
        return text
    return f"[{m['number']}] {m['label']} {m['start']}–{m['end']}".replace("  ", " ")


@dataclass(frozen=True)
class LanguageFinding:
    """Japanese text outside quotes in one unit.

    Attributes:
        unit: the unit.
        runs: the offending Japanese runs, in order.
    """

    unit: TextUnit
    runs: tuple[str, ...]

    def detail(self) -> str:
        """``"slide 3, Title 1: '緊急警報' in 'Sistema 緊急警報 …'"``."""
        snippet = self.unit.text if len(self.unit.text) <= 80 else self.unit.text[:77] + "…"
        return f"{self.unit.where}: {', '.join(repr(r) for r in self.runs[:5])} in {snippet!r}"


def partner_language_findings(units: Iterable[TextUnit], lang: str) -> list[LanguageFinding]:
    """Units holding Japanese script outside quoted names; always empty when ``lang == "ja"``.

    Reference entries are checked on :func:`reference_free_text` only.

    >>> u = [TextUnit("slide 2, Title 1", "Desafío 課題", "slide", 2), TextUnit("slide 3, Title 1", "「日本方式」", "slide", 3)]
    >>> [f.runs for f in partner_language_findings(u, "es")], partner_language_findings(u, "ja")
    ([('課題',)], [])
    """
    if lang == "ja":
        return []
    out = []
    for unit in units:
        runs = japanese_runs(reference_free_text(unit.text) if unit.kind == "reference" else unit.text)
        if runs:
            out.append(LanguageFinding(unit=unit, runs=tuple(runs)))
    return out


# --- check 2: terminology -------------------------------------------------------------


def form_occurrences(glossary: Glossary, text: str, lang: str) -> list[FormMatch]:
    """Every occurrence of every ``lang`` glossary form in ``text``, with the glossary's own matching.

    Same rules as :meth:`pitchgen.glossary.Glossary.find`: longest form first,
    no overlaps (so a form inside a longer form found at the same place does
    not count: "ISDB-T" inside "tiêu chuẩn ISDB-T"), accent-aware (accents
    stripped for finding, but accents written in the text must agree with the
    form's), Latin forms match whole words with an optional plural ``s``/``es``,
    acronyms match as written ("ITS" not "its"), country names must be
    capitalised; Japanese forms match anywhere. Unlike ``find``, every
    occurrence is returned, not only the first per term.

    Returns:
        Hits sorted by start offset.
    """
    return sorted(glossary.matches(text, lang, every=True), key=lambda h: h.start)  # type: ignore[arg-type]


FAIL_CATEGORIES: frozenset[str] = frozenset({"system", "organisation"})
"""Glossary categories whose competing *name-like* renderings fail the check (see :func:`terminology_findings`)."""

SHARED_TAIL_WORDS = 3
"""Words two forms must share at their end to count as one name with a different head (see :func:`same_rendering`)."""

DEFINITION_GAP = 60
"""Most characters between a form and a parenthesised form of the same term that define it ("… (EWBS)")."""


@dataclass(frozen=True)
class Rendering:
    """One way a term is written in the output: a group of glossary forms that count as the same.

    Attributes:
        forms: the glossary forms in the group, preferred-rank order.
        best_rank: the smallest rank among them (0 = the preferred form is in the group).
        name_like: some form of the group is written like a proper name (see :func:`terminology_findings`).
        places: where the forms were seen (``"slide 3"``, ``"brief paragraph 12"``, ...), slides first, no repeats.
    """

    forms: tuple[str, ...]
    best_rank: int
    name_like: bool
    places: tuple[str, ...]

    def describe(self, limit: int = 4) -> str:
        """``"'EWBS' (slide 3, slide 7, brief paragraph 11)"``; at most ``limit`` places, then ``+n``."""
        more = f", +{len(self.places) - limit}" if len(self.places) > limit else ""
        return f"{' / '.join(repr(f) for f in self.forms)} ({', '.join(self.places[:limit])}{more})"


@dataclass(frozen=True)
class TermFinding:
    """A terminology problem for one glossary term.

    Attributes:
        term_id: the glossary term.
        category: its glossary category.
        preferred: its preferred form in the output language.
        severity: ``"fail"`` or ``"warn"``.
        kind: ``"several_renderings"`` or ``"non_preferred"``.
        renderings: every rendering used, preferred rendering first.
    """

    term_id: str
    category: str
    preferred: str
    severity: Severity
    kind: Literal["several_renderings", "non_preferred"]
    renderings: tuple[Rendering, ...]

    def detail(self) -> str:
        """One line for a report, naming every rendering and where it is."""
        used = "; ".join(r.describe() for r in self.renderings)
        if self.kind == "non_preferred":
            return f"{self.term_id} [{self.category}]: non-preferred form used, glossary prefers {self.preferred!r}: {used}"
        return f"{self.term_id} [{self.category}]: rendered {len(self.renderings)} ways: {used}"


def _place(unit: TextUnit) -> str:
    return f"slide {unit.slide}" if unit.slide is not None else unit.where


def _place_key(place: str) -> tuple:
    """Sort key: slides by number, then brief paragraphs by number, then brief tables.

    >>> sorted(["brief table 1 row 2 cell 1", "brief paragraph 12", "slide 10", "slide 2"], key=_place_key)
    ['slide 2', 'slide 10', 'brief paragraph 12', 'brief table 1 row 2 cell 1']
    """
    return (place.startswith("brief table"), place.startswith("brief"), [int(x) for x in re.findall(r"\d+", place)], place)


def _words(folded: str) -> list[str]:
    return re.findall(r"\w+", folded)


def same_rendering(a: str, b: str, lang: str) -> bool:
    """True when glossary forms ``a`` and ``b`` count as one rendering of a term.

    After the glossary's accent folding (:func:`pitchgen.glossary.fold_text`):

    * one contains the other (whole words, except in Japanese):
      "hệ thống Chính phủ điện tử" is "Chính phủ điện tử" with a head noun,
      "緊急警報放送システム" contains "緊急警報放送";
    * they differ only by plural endings, word by word
      ("cable submarino" / "cables submarinos");
    * they end in the same name of at least :data:`SHARED_TAIL_WORDS` words
      and differ in at most two leading words: the ministry and its
      minister ("Ministry of Internal Affairs and Communications" /
      "Minister for Internal Affairs and Communications").

    >>> same_rendering("緊急警報放送システム", "緊急警報放送", "ja"), same_rendering("EWBS", "緊急警報放送", "ja")
    (True, False)
    >>> same_rendering("cable submarino", "cables submarinos", "es"), same_rendering("TIC", "TIC em saúde", "pt")
    (True, True)
    >>> same_rendering("Chính phủ điện tử", "Chính phủ số", "vi")
    False
    >>> same_rendering("ministro de Asuntos Internos y Comunicaciones", "Ministerio de Asuntos Internos y Comunicaciones", "es")
    True
    """
    fa, fb = fold_text(a), fold_text(b)
    if lang == "ja":
        return fa in fb or fb in fa
    wa, wb = _words(fa), _words(fb)
    short, long_ = sorted((wa, wb), key=len)
    if any(long_[i:i + len(short)] == short for i in range(len(long_) - len(short) + 1)):
        return True
    if len(wa) == len(wb) and all(x == y or x in (y + "s", y + "es") or y in (x + "s", x + "es") for x, y in zip(wa, wb)):
        return True
    tail = 0
    while tail < min(len(wa), len(wb)) and wa[-1 - tail] == wb[-1 - tail]:
        tail += 1
    return tail >= SHARED_TAIL_WORDS and len(wa) - tail <= 2 and len(wb) - tail <= 2


def _name_like(form: str, surface: str) -> bool:
    """A proper-name rendering: the glossary form has a capital letter, or the text capitalises it past its first letter."""
    return any(ch.isupper() for ch in form) or any(ch.isupper() for ch in surface[1:])


def _definitions(unit_text: str, hits: Sequence[FormMatch]) -> list[tuple[str, str, str]]:
    """(term_id, form, form) pairs linked in ``unit_text`` by a parenthesised gloss: "Full Name (ACR)", "ACR (Full Name)"."""
    original = unicodedata.normalize("NFKC", unit_text)
    if len(original) != len(fold_text(unit_text)):
        return []
    out = []
    for i, inner in enumerate(hits):
        if not (inner.start > 0 and original[inner.start - 1] in "(（" and original[inner.end:inner.end + 1] in (")", "）")):
            continue
        for outer in hits[:i]:
            gap = original[outer.end:inner.start - 1]
            if outer.term_id == inner.term_id and len(gap) <= DEFINITION_GAP and not re.search(r"[.;:!?。；：]", gap):
                out.append((inner.term_id, outer.form, inner.form))
    return out


_COORDINATION = re.compile(r"\s*(?:,|、|・|/|and|or|và|hoặc|y|e|o|u|ou|と|や|及び|および)\s*", re.I)


def _coordinations(unit_text: str, hits: Sequence[FormMatch]) -> list[tuple[str, str, str]]:
    """(term_id, form, form) pairs of one term named side by side as two things: "Open RAN và RAN ảo hóa".

    Two consecutive hits of the same term joined only by a comma or a
    coordinating conjunction (and/or, y/e/o, và/hoặc, と/や/・/、).
    """
    original = unicodedata.normalize("NFKC", unit_text)
    if len(original) != len(fold_text(unit_text)):
        return []
    return [(a.term_id, a.form, b.form) for a, b in zip(hits, hits[1:])
            if a.term_id == b.term_id and a.form != b.form and _COORDINATION.fullmatch(original[a.end:b.start])]


def terminology_findings(glossary: Glossary, units: Iterable[TextUnit], lang: str) -> list[TermFinding]:
    """Glossary terms written in more than one way, or only in a non-preferred form, across deck and brief.

    Hits come from :func:`form_occurrences` on every unit except brief
    reference entries (they quote the sources). For each term, the forms used
    are grouped into renderings: forms that :func:`same_rendering` links, and
    forms one of which glosses the other in parentheses anywhere in the output
    ("Sistema de Alerta de Emergencia por Radiodifusión (EWBS)" makes "EWBS"
    and "sistema de alerta de emergencia" one rendering everywhere).

    Severity, decided on the five sample outputs (VN e-government vi, PE
    disaster prevention es, BR telemedicine pt, PH broadcasting en, ID
    disaster prevention ja):

    * **fail** (``several_renderings``): a term of category ``system`` or
      ``organisation`` (:data:`FAIL_CATEGORIES`) with two or more
      *name-like* renderings, i.e. two proper names for one thing
      ("Chính phủ điện tử" and "Chính phủ số"; "MIC" and "Bộ Nội vụ và
      Truyền thông Nhật Bản" with no "(MIC)" anywhere). A rendering is
      name-like when one of its glossary forms has a capital letter or the
      text capitalises it past its first letter ("Sistema de Alerta de
      Emergencia"). Japanese has no case, so in ja outputs only Latin names
      (EWBS, ISDB-T, JICA) are name-like and "緊急警報放送システム" against
      "EWBS" only warns. Two renderings that the output itself names side by
      side as two things ("Open RAN và RAN ảo hóa": the glossary lists
      virtualised RAN under Open RAN) do not fail (see the sweep below).
    * **warn** (``several_renderings``): any other term with several
      renderings. The glossary is built for query translation and lists
      generic or neighbouring words as forms: "televisión digital terrestre"
      and "ISDB-T", "thống kê" and "e-Stat", "transmisor" under the
      broadcasting system, "endoscopia" under medical ICT, "desastres" under
      natural disaster, "proposal" under project identification. On the
      samples every such pair was a legitimate word choice, not a renamed
      thing, so these categories (sector, concept, stage, financing,
      country) and generic system forms only warn.
    * **warn** (``non_preferred``): a term used only in non-preferred forms
      ("MIC" where the glossary prefers the full ministry name). A form that
      is one rendering with the preferred form (:func:`same_rendering`:
      "caderneta de saúde materno-infantil" for "saúde materno-infantil",
      "cables submarinos" for "cable submarino") counts as preferred.

    A sweep of 22 further outputs (every sector, all five languages) gave no
    other failure; its warnings were of the kinds above plus real but minor
    variation ("Vietnam" / "Viet Nam", "MoU" / "memorandum of cooperation").

    Returns:
        Findings sorted by severity (fails first), then term id.
    """
    units = [u for u in units if u.kind != "reference"]
    uses: dict[str, dict[str, _FormUse]] = {}
    links: set[tuple[str, frozenset[str]]] = set()
    pairs: set[tuple[str, frozenset[str]]] = set()
    for unit in units:
        hits = form_occurrences(glossary, unit.text, lang)
        original = unicodedata.normalize("NFKC", unit.text)
        aligned = len(original) == len(fold_text(unit.text))
        links.update((t, frozenset((x, y))) for t, x, y in _definitions(unit.text, hits) if x != y)
        pairs.update((t, frozenset((x, y))) for t, x, y in _coordinations(unit.text, hits))
        for h in hits:
            use = uses.setdefault(h.term_id, {}).setdefault(h.form, _FormUse(rank=h.rank))
            surface = original[h.start:h.end] if aligned else h.form
            use.name_like = use.name_like or (_is_latin_name(h.form) if lang == "ja" else _name_like(h.form, surface))
            if _place(unit) not in use.places:
                use.places.append(_place(unit))
    findings = [f for term_id, forms in uses.items()
                if (f := _term_finding(glossary.terms[term_id], forms, links, pairs, lang)) is not None]
    return sorted(findings, key=lambda f: (f.severity != "fail", f.term_id))


@dataclass
class _FormUse:
    """Mutable tally of one form while reading the units."""

    rank: int
    name_like: bool = False
    places: list[str] = field(default_factory=list)


def _term_finding(term: Term, forms: dict[str, _FormUse], links: set[tuple[str, frozenset[str]]],
                  pairs: set[tuple[str, frozenset[str]]], lang: str) -> TermFinding | None:
    """Group one term's used forms into renderings and judge them (rules in :func:`terminology_findings`)."""
    preferred = term.preferred(lang) or ""
    names = sorted(forms, key=lambda f: forms[f].rank)
    group = {f: i for i, f in enumerate(names)}  # form -> group id (union by relabelling; a handful of forms)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if group[a] != group[b] and (same_rendering(a, b, lang) or (term.term_id, frozenset((a, b))) in links):
                old, new = group[b], group[a]
                group = {f: new if g == old else g for f, g in group.items()}
    members: dict[int, list[str]] = {}
    for f in names:
        members.setdefault(group[f], []).append(f)
    renderings = sorted(
        (Rendering(forms=tuple(fs),
                   best_rank=0 if any(f == preferred or same_rendering(f, preferred, lang) for f in fs) else min(forms[f].rank for f in fs),
                   name_like=any(forms[f].name_like for f in fs),
                   places=tuple(sorted(dict.fromkeys(p for f in fs for p in forms[f].places), key=_place_key)))
         for fs in members.values()),
        key=lambda r: (r.best_rank, r.forms))
    if len(renderings) > 1:
        named = [r for r in renderings if r.name_like]
        side_by_side = {frozenset(p) for t, p in pairs if t == term.term_id}
        clash = any(not any(frozenset((a, b)) in side_by_side for a in r.forms for b in q.forms)
                    for i, r in enumerate(named) for q in named[i + 1:])
        severity: Severity = "fail" if term.category in FAIL_CATEGORIES and clash else "warn"
        return TermFinding(term.term_id, term.category, preferred, severity, "several_renderings", tuple(renderings))
    if renderings and renderings[0].best_rank > 0:
        return TermFinding(term.term_id, term.category, preferred, "warn", "non_preferred", tuple(renderings))
    return None


def _is_latin_name(form: str) -> bool:
    """A Latin-script name inside Japanese text: EWBS, ISDB-T, JICA, e-Stat (not 防災ICT, which is mixed)."""
    return form.isascii() and any(ch.isupper() for ch in form)
