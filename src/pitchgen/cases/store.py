"""Case records on disk (``corpus/cases/**/*.yaml``, one record per file): load and check.

``pitchgen cases check`` reports every problem of every file with
``file:line``, the problem and the fix, and keeps going past a bad record.
Checks: the schema (pydantic), every quote an exact substring of its cited
lines, dates parse, country / sector / SDG target codes valid, ids unique,
masked amounts (``**億円``) kept unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from pitchgen.corpus import Corpus
from pitchgen.errors import CitationError
from pitchgen.records import LANGS, CaseRecord, SourceRef
from pitchgen.sdg import SdgCatalog
from pitchgen.verify.numbers import unmatched_numbers
from pitchgen.vocab import Vocabulary, country_codes

PARTNER_LANGS = ("vi", "es", "pt")
"""Languages whose fact texts are checked number by number against the quote and the English text."""

_DATE = re.compile(r"^(?:FY)?(\d{4})(?:-(0[1-9]|1[0-2]))?$")


def parse_case_date(value: str) -> tuple[int, int | None, bool]:
    """Parse a case date: ``YYYY``, ``YYYY-MM``, ``FYYYYY``; ranges ``A/B`` give the start.

    Returns (year, month or None, fiscal).

    Raises:
        ValueError: anything else (e.g. ``2018年8月``, ``2018-13``).

    >>> parse_case_date("2018-08"), parse_case_date("FY2018"), parse_case_date("2019/2020")
    ((2018, 8, False), (2018, None, True), (2019, None, False))
    """
    parts = value.split("/")
    if len(parts) > 2 or not all(_DATE.match(p) for p in parts):
        raise ValueError(f"bad date {value!r}")
    m = _DATE.match(parts[0])
    assert m is not None  # checked above
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None, parts[0].startswith("FY")


@dataclass(frozen=True)
class Problem:
    """One problem in a case file."""

    path: str
    line: int | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message} Fix: {self.fix}"


def _line_map(text: str) -> dict[tuple, int]:
    """Map field paths (``("stages", 2, "source", "quote")``) to 1-based lines."""
    out: dict[tuple, int] = {}

    def walk(node, path: tuple) -> None:
        out[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, path + (k.value,))
                out[path + (k.value,)] = k.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    root = yaml.compose(text)
    if root is not None:
        walk(root, ())
    return out


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


@dataclass(frozen=True)
class LoadedCase:
    """A record with the file it came from and its field-path -> line map."""

    record: CaseRecord
    path: Path
    lines: dict[tuple, int]

    def line(self, *loc) -> int | None:
        """Line of a field path in the file."""
        return _line_for(self.lines, tuple(loc))


def load_case_file(path: Path) -> tuple[LoadedCase | None, list[Problem]]:
    """Parse and schema-validate one case file. Never raises for bad content."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        lines = _line_map(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(str(path), mark.line + 1 if mark else None, f"invalid YAML ({getattr(exc, 'problem', exc)})",
                              "correct the YAML syntax (quote strings that contain ': ')")]
    if not isinstance(data, dict):
        return None, [Problem(str(path), 1, "a case file holds one mapping (one record)", "see corpus/cases/README.md")]
    try:
        rec = CaseRecord.model_validate(data)
    except ValidationError as exc:
        probs = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            probs.append(Problem(str(path), _line_for(lines, loc), f"{'.'.join(map(str, loc)) or 'record'}: {err['msg']}",
                                 "fix the field as the schema in pitchgen.records.CaseRecord says"))
        return None, probs
    return LoadedCase(rec, path, lines), []


def _sources(lc: LoadedCase) -> list[tuple[tuple, SourceRef]]:
    r = lc.record
    out: list[tuple[tuple, SourceRef]] = []
    for i, s in enumerate(r.stages):
        out.append((("stages", i, "source"), s.source))
    for name in ("outputs", "outcomes", "amounts"):
        for i, f in enumerate(getattr(r, name)):
            out.append(((name, i, "source"), f.source))
    for i, s in enumerate(r.sources):
        out.append((("sources", i), s))
    return out


def check_case(lc: LoadedCase, corpus: Corpus, vocab: Vocabulary, sdg: SdgCatalog) -> list[Problem]:
    """Content checks of one schema-valid record (see module docstring)."""
    r, p = lc.record, str(lc.path)
    probs: list[Problem] = []
    for loc, src in _sources(lc):
        try:
            doc = corpus.get(src.doc_id)
            span = doc.span(src.line_start, src.line_end)
            if src.quote not in span:
                raise CitationError(f"quote {src.quote[:30]!r}… is not in {doc.meta.source_file} lines {src.line_start}-{src.line_end}")
        except CitationError as exc:
            probs.append(Problem(p, lc.line(*loc, "quote") or lc.line(*loc), exc.message,
                                 "copy the quote verbatim from the cited lines (sed -n 'A,Bp' corpus/policy/FILE) or correct the span"))
    for i, st in enumerate(r.stages):
        try:
            parse_case_date(st.date)
        except ValueError:
            probs.append(Problem(p, lc.line("stages", i, "date"), f"date {st.date!r} does not parse",
                                 "write YYYY, YYYY-MM, FYYYYY (Japanese fiscal year) or a range A/B"))
    if r.country.startswith("region:"):
        if r.country.removeprefix("region:") not in vocab.regions:
            probs.append(Problem(p, lc.line("country"), f"unknown region {r.country!r}",
                                 f"use region:<{'|'.join(vocab.regions)}> or an ISO2 code"))
    elif r.country not in country_codes():
        probs.append(Problem(p, lc.line("country"), f"unknown country code {r.country!r}", "use an ISO 3166-1 alpha-2 code such as VN"))
    if r.sector not in vocab.sectors:
        probs.append(Problem(p, lc.line("sector"), f"unknown sector {r.sector!r}", f"use one of: {', '.join(vocab.sectors)}"))
    for i, link in enumerate(r.sdg_targets):
        if link.target not in sdg.targets:
            probs.append(Problem(p, lc.line("sdg_targets", i, "target"), f"unknown SDG target {link.target!r}",
                                 "use an official target id such as 11.5 or 17.18"))
        if not link.rationale.strip():
            probs.append(Problem(p, lc.line("sdg_targets", i, "rationale"), "SDG link without rationale", "add a one-line rationale"))
    for i, f in enumerate(r.outcomes):
        if f.indicator and f.indicator not in sdg.indicators and not f.indicator.startswith("custom:"):
            probs.append(Problem(p, lc.line("outcomes", i, "indicator"), f"unknown indicator {f.indicator!r}",
                                 "use an SDG indicator id (11.5.1) or custom:<name>"))
    for key in ("outputs", "outcomes"):
        for i, f in enumerate(getattr(r, key)):
            for lg, text in f.text.items():
                if lg not in LANGS:
                    probs.append(Problem(p, lc.line(key, i, "text", lg) or lc.line(key, i), f"unknown language {lg!r} in {key} text",
                                         f"use one of: {', '.join(LANGS)}"))
                elif lg in PARTNER_LANGS and (extra := unmatched_numbers(text, lg, f"{f.source.quote}\n{f.text.get('en', '')}")):
                    probs.append(Problem(p, lc.line(key, i, "text", lg), f"{key} text in {lg} has numbers its quote lacks: {', '.join(extra)}",
                                         "write the quote's numbers (locale separators are fine), or drop the text"))
            if not f.text.get("en"):
                probs.append(Problem(p, lc.line(key, i, "text") or lc.line(key, i), f"{key} text needs en", "add text: {ja: ..., en: ...}"))
    for i, a in enumerate(r.amounts):
        if "**" in a.source.quote and (a.value is not None or not a.masked):
            probs.append(Problem(p, lc.line("amounts", i, "value"), "masked amount (**) given a value",
                                 "set value: null and masked: true; a masked amount stays unknown"))
    if not r.title.get("ja") or not r.title.get("en"):
        probs.append(Problem(p, lc.line("title"), "title needs ja and en", "add title: {ja: ..., en: ...}"))
    if r.origin == "karte" and r.karte_line is None:
        probs.append(Problem(p, lc.line("origin"), "karte record without karte_line", "give the action plan line of the row"))
    return probs


class CaseBook:
    """All case records under a folder, with every problem found.

    ``records`` holds only records that passed every check, so a bad file
    never reaches a deck; ``problems`` lists what was skipped and why.
    """

    def __init__(self, cases_dir: str | Path, corpus: Corpus, vocab: Vocabulary, sdg: SdgCatalog) -> None:
        self.dir = Path(cases_dir)
        self.problems: list[Problem] = []
        self.loaded: list[LoadedCase] = []
        seen: dict[str, Path] = {}
        for path in sorted(self.dir.rglob("*.yaml")):
            lc, probs = load_case_file(path)
            self.problems.extend(probs)
            if lc is None:
                continue
            content = check_case(lc, corpus, vocab, sdg)
            if lc.record.id in seen:
                content.append(Problem(str(path), lc.line("id"), f"duplicate id {lc.record.id!r} (also in {seen[lc.record.id]})",
                                       "give every record a unique id"))
            else:
                seen[lc.record.id] = path
            self.problems.extend(content)
            if not content:
                self.loaded.append(lc)

    @property
    def records(self) -> tuple[CaseRecord, ...]:
        """Records that passed every check, in file order."""
        return tuple(lc.record for lc in self.loaded)

    def get(self, case_id: str) -> CaseRecord:
        """Record by id; raises KeyError."""
        for r in self.records:
            if r.id == case_id:
                return r
        raise KeyError(case_id)


def verify_fact_texts(book: "CaseBook", verifier, langs: tuple[str, ...] = LANGS) -> list[Problem]:
    """Run the claim verifier over every output and outcome text of every valid record.

    Each ``text[lang]`` is verified as a claim citing the fact's own source. A text the
    verifier does not call ``supported`` or ``unverified`` would be refused by the
    generator and never shown, so it is reported with its file, line and reasons.

    Args:
        book: loaded case records.
        verifier: a :class:`pitchgen.verify.verifier.Verifier` over the same corpus.
        langs: languages to check.

    Returns:
        One :class:`Problem` per refused text (empty when all pass).
    """
    from pitchgen.verify.verifier import SpanRef

    out: list[Problem] = []
    for lc in book.loaded:
        for key in ("outputs", "outcomes"):
            for i, f in enumerate(getattr(lc.record, key)):
                ref = SpanRef(doc=f.source.doc_id, line_start=f.source.line_start, line_end=f.source.line_end, quote=f.source.quote)
                for lg, text in f.text.items():
                    if lg not in langs or lg == "ja":
                        continue
                    v = verifier.verify(f"{lc.record.id}/{key}/{i}/{lg}", text, lg, [ref])
                    if v.verdict in ("supported", "unverified"):
                        continue
                    why = "; ".join(f"{r.check} {r.anchor}: {r.outcome} ({r.detail})" for r in v.reasons if r.outcome != "supported")
                    out.append(Problem(str(lc.path), lc.line(key, i, "text", lg), f"{key} text in {lg} is {v.verdict}: {why}",
                                       "say only what the quote says, with its numbers and names (glossary forms)"))
    return out
