"""The verifier: one verdict per claim, with reasons, used by the generator, `pitchgen verify` and `pitchgen eval`.

Verdicts:

* ``supported``: every anchor the claim has is found in the cited lines;
* ``contradicted``: the cited lines hold a different value, entity or SDG
  target of the same kind, or the claim negates or widens them;
* ``unsupported``: a citation does not resolve, or an anchor is absent from
  the cited lines (and nothing of its kind is there);
* ``unverified``: the claim has no anchor a deterministic check can test.
  It is reported, never counted as faithful.

Deterministic anchors (always on): numbers typed by kind and unit
(:mod:`pitchgen.verify.anchors`), entities from the glossary (countries,
regions, organisations, systems), SDG goals and targets (supported by the
cited lines, by an outcome chain of ``corpus/sdg_map.yaml`` whose sources
are the cited lines, or by a curated case record whose sources are the cited
lines and whose ``sdg_targets`` list the target), negation and overclaim cues. Japan (the documents'
author) is an implicit entity of every line. Countries are also found in the
heading of the cited lines (karte rows sit under a table titled with the
country).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import Field

from pitchgen.corpus import Corpus
from pitchgen.errors import CitationError
from pitchgen.glossary import Glossary, Term
from pitchgen.records import Lang, Record
from pitchgen.verify.anchors import is_failed, is_negated, overclaim_cues, quote_negated, sdg_refs, typed_numbers

_COMMON_ACRONYMS = frozenset({"USD", "JPY", "EUR", "US", "UK", "TV", "ID", "IT", "AI", "PC", "CEO", "GDP", "KPI", "FY",
                              "SDG", "SDGS", "ODS", "ICT", "TIC", "CNTT", "ODA", "AOD", "MOU", "MoU", "CT", "IOT", "IoT", "II", "III",
                              "EE", "UU", "EUA", "EAU", "TT", "MIC", "GIS", "SIG"})

VerdictLabel = Literal["supported", "contradicted", "unsupported", "unverified"]
ENTITY_CATEGORIES = ("country", "organisation", "system")
IMPLICIT_ENTITIES = frozenset({"country:JP"})


class SpanRef(Record):
    """A cited span: document (id or file name), original lines, optional exact quote."""

    doc: str
    line_start: int = Field(ge=1)
    line_end: int = Field(ge=1)
    quote: str | None = None


class Reason(Record):
    """Why a verdict: which check, which anchor, what it found, where."""

    check: str
    anchor: str
    outcome: Literal["supported", "contradicted", "unsupported"]
    span: str = ""
    detail: str = ""


class Verdict(Record):
    """The verifier's answer for one claim."""

    claim_id: str
    claim: str
    lang: Lang
    verdict: VerdictLabel
    reasons: tuple[Reason, ...]
    resolved: bool = True
    tier: str = "deterministic"


def aggregate(reasons: Sequence[Reason], resolved: bool) -> VerdictLabel:
    """Combine per-anchor outcomes: contradicted > unsupported > supported > unverified.

    >>> aggregate([Reason(check="number", anchor="5", outcome="supported")], True)
    'supported'
    >>> aggregate([], True)
    'unverified'
    >>> aggregate([], False)
    'unsupported'
    """
    outcomes = {r.outcome for r in reasons}
    if "contradicted" in outcomes:
        return "contradicted"
    if "unsupported" in outcomes or not resolved:
        return "unsupported"
    if "supported" in outcomes:
        return "supported"
    return "unverified"


class Verifier:
    """Deterministic claim verifier.

    Args:
        corpus: the policy corpus (citations resolve against it).
        glossary: entity lexicon (ja/vi/es/en/pt forms).
        chains: outcome chains (``StatementBank.chains.values()``) for SDG support.
        headings: doc_id -> [(line_start, line_end, heading path)] from the chunker.
        regions: region code -> member ISO2 codes (a region anchor is supported by a member).
        case_links: ``(doc_id, line_start, line_end, targets)`` per source of a curated case
            record with SDG links (:func:`case_sdg_links`): an SDG target of such a record is
            supported for a claim citing those lines.
    """

    def __init__(self, corpus: Corpus, glossary: Glossary, chains: Sequence = (),
                 headings: Mapping[str, Sequence[tuple[int, int, str]]] | None = None,
                 regions: Mapping[str, frozenset[str]] | None = None,
                 case_links: Sequence[tuple[str, int, int, frozenset[str]]] = ()) -> None:
        self.corpus = corpus
        self.glossary = glossary
        self.chains = tuple(chains)
        self.headings = dict(headings or {})
        self.regions = dict(regions or {})
        self.case_links = tuple(case_links)
        self._cldr_cache: dict[str, dict[str, str]] = {}

    # -- evidence ------------------------------------------------------------------
    def _resolve(self, refs: Sequence[SpanRef]) -> tuple[list[tuple[str, str, str, str | None]], list[Reason]]:
        """Resolved (doc_id, label, text, quote) per citation, and failures as reasons."""
        out, problems = [], []
        for ref in refs:
            label = f"{ref.doc}:{ref.line_start}-{ref.line_end}"
            try:
                doc = self.corpus.get(ref.doc)
                text = doc.span(ref.line_start, ref.line_end)
                label = f"{doc.meta.source_file}:{ref.line_start}-{ref.line_end}"
                if ref.quote is not None and ref.quote not in text:
                    raise CitationError("quote is not in the cited lines")
                out.append((doc.meta.doc_id, label, text, ref.quote))
            except CitationError as exc:
                problems.append(Reason(check="citation", anchor=label, outcome="unsupported", span=label, detail=exc.message))
        return out, problems

    def _context(self, doc_id: str, a: int, b: int) -> str:
        return " ".join(h for s, e, h in self.headings.get(doc_id, ()) if s <= b and a <= e)

    # -- checks ----------------------------------------------------------------------
    def _numbers(self, text: str, lang: Lang, skip, evidence: str, where: str) -> list[Reason]:
        ev = typed_numbers(evidence, "ja")
        reasons = []
        for a in typed_numbers(text, lang, skip):
            if any(a.matches(e) for e in ev):
                reasons.append(Reason(check="number", anchor=a.surface, outcome="supported", span=where, detail=a.kind))
            elif any(a.same_role(e) for e in ev):
                others = ", ".join(sorted({e.surface for e in ev if a.same_role(e)})[:4])
                reasons.append(Reason(check="number", anchor=a.surface, outcome="contradicted", span=where,
                                      detail=f"{a.kind}{'/' + a.unit if a.unit else ''} in the span is {others}"))
            else:
                reasons.append(Reason(check="number", anchor=a.surface, outcome="unsupported", span=where,
                                      detail=f"no {a.kind} {a.surface} in the cited lines"))
        return reasons

    def _in_evidence(self, term: Term, found: set[str], text: str = "") -> bool:
        if term.term_id in found or term.term_id in IMPLICIT_ENTITIES:
            return True
        # any form of the term written in the lines (a longer glossary match may have hidden it)
        forms = list(term.forms.get("ja") or ()) + [f for lg in ("en", "es") for f in term.forms.get(lg) or () if f.isascii()]
        if any(len(f) > 1 and f in text for f in forms):
            return True
        if term.term_id.startswith("country:region:"):
            members = self.regions.get(term.term_id.removeprefix("country:region:"), frozenset())
            return any(f"country:{m}" in found for m in members)
        return False

    def _entities(self, text: str, lang: Lang, evidence: str, context: str, where: str) -> list[Reason]:
        # hard-wrapped PDF text splits names (ウズベキス|タン); slide text spaces them ("5 G")
        evidence = re.sub(r"(?<=\d) (?=[A-Za-z])", "", unicodedata.normalize("NFKC", evidence.replace("\n", "")))
        claim_terms = [t for t in self.glossary.find(text, lang) if t.category in ENTITY_CATEGORIES]
        found_terms = self.glossary.find(evidence + "\n" + context, "ja") + self.glossary.find(evidence, "en")
        # countries by name too: the glossary's longest match can hide one (ベトナム inside ベトナム郵便)
        names = evidence + "\n" + context
        country_hits = {f"country:{code}" for name, code in self.glossary.countries_ja.items() if name in names}
        found = {t.term_id for t in found_terms} | country_hits
        reasons = self._other_entities(text, lang, claim_terms, names, where)
        for term in claim_terms:
            name = term.preferred(lang) or term.term_id
            if self._in_evidence(term, found, names):
                reasons.append(Reason(check="entity", anchor=name, outcome="supported", span=where, detail=term.category))
                continue
            rivals = sorted({t.preferred("ja") or t.term_id for t in found_terms
                             if t.category == term.category and t.term_id != term.term_id and t.term_id not in IMPLICIT_ENTITIES
                             and not t.term_id.startswith("country:region:")})
            is_region = term.term_id.startswith("country:region:")
            if rivals and term.category in ("country", "organisation") and not is_region:
                reasons.append(Reason(check="entity", anchor=name, outcome="contradicted", span=where,
                                      detail=f"the span names {', '.join(rivals[:3])} ({term.category})"))
            else:
                reasons.append(Reason(check="entity", anchor=name, outcome="unsupported", span=where,
                                      detail=f"{term.category} not named in the cited lines"))
        return reasons

    def _other_entities(self, text: str, lang: Lang, claim_terms: list[Term], evidence: str, where: str) -> list[Reason]:
        """Countries outside the glossary (CLDR names) and unknown acronyms (KOICA, APEC) must be in the lines."""
        reasons = []
        known = {t.term_id for t in claim_terms}
        t = unicodedata.normalize("NFKC", text)
        for name, code in self._cldr_names(lang).items():
            named = name in t if lang == "ja" else re.search(rf"(?<!\w){re.escape(name)}(?!\w)", t)
            if f"country:{code}" in known or not named:
                continue
            if any(ja in evidence for ja in self._cldr_ja(code)):
                reasons.append(Reason(check="entity", anchor=name, outcome="supported", span=where, detail="country"))
            else:
                reasons.append(Reason(check="entity", anchor=name, outcome="unsupported", span=where,
                                      detail="country not named in the cited lines"))
        # an acronym the glossary knows in any category (APD = ODA in pt) is a term, not an unknown name
        glossary_forms = {f for term in (*claim_terms, *self.glossary.find(text, lang)) for fs in term.forms.values() for f in fs}
        for acr in dict.fromkeys(re.findall(r"(?<![A-Za-z0-9-])[A-Za-z]*[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?![A-Za-z0-9-])", t)):
            if acr in _COMMON_ACRONYMS or acr in glossary_forms or acr in evidence:
                continue
            reasons.append(Reason(check="entity", anchor=acr, outcome="unsupported", span=where,
                                  detail="name not in the cited lines"))
        return reasons

    def _cldr_names(self, lang: Lang) -> dict[str, str]:
        if lang not in self._cldr_cache:
            from pitchgen.vocab import country_codes, country_name

            names = {country_name(c, lang): c for c in country_codes()}
            self._cldr_cache[lang] = {n: c for n, c in names.items() if len(n) > 2 and (lang == "ja" or n[:1].isupper())}
        return self._cldr_cache[lang]

    def _cldr_ja(self, code: str) -> list[str]:
        from pitchgen.vocab import country_name

        term = self.glossary.terms.get(f"country:{code}")
        return [country_name(code, "ja")] + [f for f in ((term.forms.get("ja") if term else ()) or ()) if len(f) > 1]

    def _sdg(self, refs: list[tuple[str, int, int]], evidence: str, resolved: list, where: str) -> list[Reason]:
        span_ids = {r[0] for r in sdg_refs(evidence, "ja")}
        mapped: set[str] = set()
        for ch in self.chains:
            cites = [c for c in (ch.output.citation, ch.outcome.citation, ch.link_citation) if c is not None]
            if any(c.doc_id == d and _overlap(c.line_start, c.line_end, label) for d, label, _, _ in resolved for c in cites):
                mapped |= set(ch.sdg_targets) | {t.split(".")[0] for t in ch.sdg_targets} | ({ch.impact_goal} if ch.impact_goal else set())
        for doc, a, b, targets in self.case_links:
            if any(d == doc and _overlap(a, b, label) for d, label, _, _ in resolved):
                mapped |= set(targets) | {t.split(".")[0] for t in targets}
        known = span_ids | mapped
        reasons = []
        for sid, _, _ in refs:
            goal = sid.split(".")[0]
            ok = sid in known or (sid == goal and any(k.split(".")[0] == goal for k in known))
            if ok:
                reasons.append(Reason(check="sdg", anchor=sid, outcome="supported", span=where,
                                      detail="named in the span" if sid in span_ids else "outcome-chain mapping"))
            elif known:
                reasons.append(Reason(check="sdg", anchor=sid, outcome="contradicted", span=where,
                                      detail=f"the span / its chain serves {', '.join(sorted(known))}"))
            else:
                reasons.append(Reason(check="sdg", anchor=sid, outcome="unsupported", span=where, detail="no SDG named or mapped"))
        return reasons

    # -- entry point -------------------------------------------------------------------
    def verify(self, claim_id: str, text: str, lang: Lang, refs: Sequence[SpanRef]) -> Verdict:
        """Verify one claim against its citations. Never raises for bad citations (they are reasons)."""
        resolved, problems = self._resolve(refs)
        reasons: list[Reason] = list(problems)
        if not refs:
            reasons.append(Reason(check="citation", anchor="-", outcome="unsupported", detail="no citation"))
        if resolved:
            evidence = "\n".join(t for _, _, t, _ in resolved)
            quotes = "\n".join(q for _, _, _, q in resolved if q) or evidence
            where = "; ".join(label for _, label, _, _ in resolved)
            context = " ".join(self._context(d, *_lines(label)) for d, label, _, _ in resolved)
            refs_sdg = sdg_refs(text, lang)
            reasons += self._sdg(refs_sdg, evidence, resolved, where)
            reasons += self._numbers(text, lang, [(s, e) for _, s, e in refs_sdg], evidence, where)
            reasons += self._entities(text, lang, evidence, context, where)
            # a quote that says something did not happen (中止, 至らず) supports a negated claim too
            evidence_negated = any(quote_negated(q) or is_failed(q) for _, _, _, q in resolved if q) or is_negated(evidence, "ja") \
                if any(q for _, _, _, q in resolved) else is_negated(evidence, "ja")
            if is_negated(text, lang) and not evidence_negated:
                reasons.append(Reason(check="negation", anchor="negation", outcome="contradicted", span=where,
                                      detail="the claim negates what the cited lines state"))
            elif not is_negated(text, lang) and any(q and is_failed(q) for _, _, _, q in resolved):
                reasons.append(Reason(check="negation", anchor="negation", outcome="contradicted", span=where,
                                      detail="the cited quote says it did not happen; the claim does not"))
            for cue in overclaim_cues(text, lang, quotes):
                reasons.append(Reason(check="overclaim", anchor=cue, outcome="contradicted", span=where,
                                      detail="the claim widens the evidence"))
        verdict = aggregate(reasons, resolved=bool(resolved) and not problems)
        return Verdict(claim_id=claim_id, claim=text, lang=lang, verdict=verdict, reasons=tuple(reasons),
                       resolved=bool(refs) and not problems)


def _lines(label: str) -> tuple[int, int]:
    a, b = label.rsplit(":", 1)[1].split("-")
    return int(a), int(b)


def _overlap(a: int, b: int, label: str) -> bool:
    s, e = _lines(label)
    return a <= e and s <= b


def case_sdg_links(records: Sequence) -> list[tuple[str, int, int, frozenset[str]]]:
    """``(doc_id, line_start, line_end, targets)`` for every source of every case record with SDG links.

    Args:
        records: :class:`pitchgen.records.CaseRecord` objects (curated, checked).
    """
    out = []
    for rec in records:
        targets = frozenset(link.target for link in rec.sdg_targets)
        if not targets:
            continue
        refs = [e.source for e in rec.stages] + [f.source for f in rec.outputs + rec.outcomes] \
            + [a.source for a in rec.amounts] + list(rec.sources)
        out.extend(dict.fromkeys((r.doc_id, r.line_start, r.line_end, targets) for r in refs))
    return out


def line_headings(corpus: Corpus, glossary: Glossary) -> dict[str, list[tuple[int, int, str]]]:
    """doc_id -> [(line_start, line_end, heading path)] from the chunker (for entity context)."""
    from pitchgen.ingest.chunker import Chunker

    chunker = Chunker(countries_ja=glossary.countries_ja)
    return {d.meta.doc_id: [(c.line_start, c.line_end, c.heading) for c in chunker.chunk(d)] for d in corpus.documents}
