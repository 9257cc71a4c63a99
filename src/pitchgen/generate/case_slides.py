"""Case slides from case records: stage timeline table, results, and financing pathways.

Every sentence is a template phrase per claim type (gettext ``claim.*``
messages, written natively per language) filled from one record's cited facts:

* ``case_event``: a case reached a stage, on a date its quote gives;
* ``case_output``: it produced an output (the record's text in that language);
* ``case_outcome``: it served an outcome, with the SDG target the record links
  and the target's SDG indicators;
* ``case_financing``: it was financed by a scheme, or by an amount of a kind
  (yen and dollars in the partner's form; the source wording goes to the notes).

A financing scheme is named only when one of the record's cited quotes names it;
a fact is shown only in a language the record has text for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from pitchgen.cases.select import ScopedRecord, stage_reached
from pitchgen.cases.store import parse_case_date
from pitchgen.generate.phrases import Phrases, format_event_date
from pitchgen.glossary import Glossary
from pitchgen.records import CASE_STAGES, Bullet, CaseAmount, CaseFact, CaseRecord, CaseStageEntry, Citation, Claim, Lang, Slide, SourceRef
from pitchgen.generate.amounts import format_amount, is_money
from pitchgen.generate.cases import extract_events
from pitchgen.verify.numbers import unmatched_numbers
from pitchgen.vocab import Vocabulary, country_name

FINANCING_EVIDENCE: dict[str, str] = {
    "jica_technical_cooperation": r"JICA",
    "jica_grant_aid": r"無償資金協力|無償",
    "yen_loan": r"円借款",
    "oda_unspecified": r"ODA",
    "jbic": r"JBI[C0]|国際協力銀行",
    "jict": r"JICT|海外通信・放送・郵便事業支援機構",
    "nexi": r"NEXI|日本貿易保険",
    "mic_survey_budget": r"総務省\s*予\s*算",
    "mic_subsidy": r"補助事業",
    "jaif": r"JAIF|日・ASEAN統合基金",
    "multilateral": r"世界銀行|アジア開発銀行|ADB|ITU|国際機関",
}
"""Scheme -> pattern a cited quote must contain for the scheme to be shown."""

NAMED_SCHEMES = frozenset({"jbic", "jict", "nexi", "jaif"})
"""Schemes named after an institution: their label keeps its capital inside a sentence."""


def stage_event_text(entry: CaseStageEntry, lang: Lang, phrases: Phrases) -> str:
    """Localized description of a stage entry: the event its quote states, else the stage name.

    The quote is classified with the same rules as karte entries; when it names
    no known event, the stage label is used rather than a guess.
    """
    events = extract_events(entry.source.quote)
    if events:
        ev = events[0]
        return phrases.get(lang, f"event.{ev.phrase}", n=ev.count)
    return mid_sentence(phrases.get(lang, f"stage.{entry.stage}"))


def mid_sentence(label: str) -> str:
    """A capitalised label used inside a sentence: first letter lowered unless its first word is an
    acronym or has inner capitals ("MoU", "JICA", "ODA").

    >>> mid_sentence("Contrato y operación"), mid_sentence("MoU and talks"), mid_sentence("JICA technical cooperation")
    ('contrato y operación', 'MoU and talks', 'JICA technical cooperation')
    """
    first = label.split(" ", 1)[0]
    if len(first) < 2 or any(c.isupper() for c in first[1:]) or not first[1:].isalpha():
        return label
    return label[0].lower() + label[1:]


def amount_phrase(amount: CaseAmount, lang: Lang, phrases: Phrases) -> str | None:
    """An amount as a phrase of its kind in ``lang`` ("grant aid of about 2 billion yen"), from the
    ``amount.<kind>`` and ``qualifier.*`` messages and :func:`pitchgen.generate.amounts.format_amount`.

    Returns None when the amount cannot be said: masked (unknown), not money, or of no kind.
    """
    if amount.value is None or amount.masked or amount.kind in (None, "units") or not is_money(amount.unit):
        return None
    value = format_amount(amount.value, amount.unit, lang)
    if amount.qualifier != "exact":
        value = phrases.get(lang, f"qualifier.{amount.qualifier}", amount=value)
    return phrases.get(lang, f"amount.{amount.kind}", amount=value)


def entry_date(entry: CaseStageEntry, lang: Lang, phrases: Phrases) -> str:
    """Localized date of a stage entry (fiscal years and ranges kept)."""
    year, month, fiscal = parse_case_date(entry.date)
    end = None
    if "/" in entry.date:
        end = parse_case_date(entry.date.split("/")[1])[0]
    return format_event_date(phrases, lang, year, month, end, fiscal)


class ClaimSink(Protocol):
    """What the builders need from the planner's draft: add a claim, return it."""

    def add(self, kind: str, text: str, citations: Sequence[Citation], *, country: str | None = None,
            scope: str | None = None, record_refusal: bool = True) -> Claim | None: ...


def _date_key(entry: CaseStageEntry) -> tuple[int, int]:
    y, m, _ = parse_case_date(entry.date)
    return (y, m or 0)


def financing_with_evidence(rec: CaseRecord) -> list[tuple[str, SourceRef]]:
    """The record's financing schemes that one of its cited quotes names, with that source."""
    refs = [s.source for s in rec.stages] + [f.source for f in rec.outputs] + [a.source for a in rec.amounts] + list(rec.sources)
    out = []
    for scheme in rec.financing:
        pat = FINANCING_EVIDENCE.get(scheme)
        ref = next((r for r in refs if pat and re.search(pat, r.quote)), None)
        if ref is not None:
            out.append((scheme, ref))
    return out


class CaseWriter:
    """Builds the case slides and claims for one deck."""

    def __init__(self, vocab: Vocabulary, glossary: Glossary, phrases: Phrases, corpus_files: dict[str, str]) -> None:
        self.vocab = vocab
        self.glossary = glossary
        self.phrases = phrases
        self.files = corpus_files  # doc_id -> source_file

    def where(self, rec: CaseRecord, lang: Lang) -> str:
        """Country (CLDR) or region name in ``lang``."""
        if rec.country.startswith("region:"):
            return self.vocab.regions[rec.country[7:]].names[lang]
        return country_name(rec.country, lang)

    def field(self, rec: CaseRecord, lang: Lang) -> str:
        """The glossary term the record's Japanese title names, else its sector's name."""
        for term in self.glossary.find(rec.title.get("ja", ""), "ja"):
            if term.category != "country" and term.preferred(lang):
                return term.preferred(lang)
        return self.vocab.sectors[rec.sector].names[lang]

    def citation(self, ref: SourceRef) -> Citation:
        """A claim citation from a record source."""
        return Citation(doc_id=ref.doc_id, source_file=self.files[ref.doc_id], line_start=ref.line_start,
                        line_end=ref.line_end, quote=ref.quote)

    @staticmethod
    def dated_by_quote(entry: CaseStageEntry) -> bool:
        """True when the entry's quote itself gives its year(s).

        Some records are dated "as of" the reporting document; such a date is
        not shown as a claim, because the cited lines do not hold it.
        """
        years = re.findall(r"\d{4}", entry.date)
        return not unmatched_numbers(" ".join(years), "en", entry.source.quote)

    def stage_claim(self, d: ClaimSink, sr: ScopedRecord, entry: CaseStageEntry, lang: Lang) -> Claim | None:
        """One stage of a case as a claim, dated only when its quote gives the date.

        The field label is the record's glossary term if the verifier accepts it
        for these lines, else the sector's name; None when the verifier refuses both.
        """
        rec = sr.record
        event = stage_event_text(entry, lang, self.phrases)
        texts = []
        for field in self.labels(rec, lang):
            values = dict(country=self.where(rec, lang), field=field, event=event)
            if self.dated_by_quote(entry):
                texts.append(self.phrases.get(lang, "claim.event", date=entry_date(entry, lang, self.phrases), **values))
            else:
                texts.append(self.phrases.get(lang, "claim.event_undated", **values))
        return self._first_accepted(d, "case_event", sr, lang, texts, [self.citation(entry.source)])

    def table(self, d: ClaimSink, scoped: Sequence[ScopedRecord], lang: Lang, scope_lines: Sequence[str]) -> Slide:
        """The stage timeline: one row per case, one column per stage, years with markers."""
        ph = self.phrases
        rows: list[tuple[str, ...]] = [(ph.get(lang, "col.case"),) + tuple(ph.get(lang, f"stage.{s}") for s in CASE_STAGES)]
        for sr in scoped:
            cells = [f"{self.where(sr.record, lang)} — {self.field(sr.record, lang)}"]
            for stage in CASE_STAGES:
                parts = []
                for entry in sorted((e for e in sr.record.stages if e.stage == stage), key=_date_key):
                    claim = self.stage_claim(d, sr, entry, lang)
                    if claim is None:
                        continue
                    y0 = parse_case_date(entry.date)[0]
                    y1 = parse_case_date(entry.date.split("/")[1])[0] if "/" in entry.date else None
                    when = (f"{y0}–{y1}" if y1 and y1 != y0 else str(y0)) if self.dated_by_quote(entry) else "✓"
                    parts.append(f"{when} [{claim.marker}]")
                cells.append(" · ".join(parts))
            rows.append(tuple(cells))
        return Slide(role="cases", layout="pitch-table", title=ph.get(lang, "slide.cases"),
                     table=tuple(rows) if scoped else (), bullets=tuple(Bullet(text=s) for s in scope_lines))

    def labels(self, rec: CaseRecord, lang: Lang) -> list[str]:
        """Field labels to try, most specific first: the record's glossary term, its sector, a generic "ICT"."""
        generic = {"ja": "ICT", "vi": "CNTT", "es": "TIC", "en": "ICT", "pt": "TIC"}[lang]  # when no label is in the lines
        return list(dict.fromkeys((self.field(rec, lang), self.vocab.sectors[rec.sector].names[lang], generic)))

    def _first_accepted(self, d: ClaimSink, kind: str, sr: ScopedRecord, lang: Lang, texts, cites: Sequence[Citation]) -> Claim | None:
        """Add the first text (one per field label) the verifier accepts; only the last refusal is recorded."""
        texts = list(texts)
        for i, text in enumerate(texts):
            claim = d.add(kind, text, cites, country=sr.record.country, scope=sr.scope, record_refusal=i == len(texts) - 1)
            if claim is not None:
                return claim
        return None

    def fact_date(self, fact: CaseFact, lang: Lang) -> str | None:
        """The fact's ``as_of`` date, localized, when its quote states that year; else None."""
        if not fact.as_of:
            return None
        years = re.findall(r"\d{4}", fact.as_of)
        if not years or unmatched_numbers(" ".join(years), "en", fact.source.quote):
            return None
        year, month, fiscal = parse_case_date(fact.as_of.split("/")[0])
        return format_event_date(self.phrases, lang, year, month, None, fiscal)

    def output_claim(self, d: ClaimSink, sr: ScopedRecord, fact: CaseFact, lang: Lang) -> Claim | None:
        """``case_output``: what the case produced, dated when the quote gives the year; None if the record
        has no text in ``lang`` or the verifier refuses it."""
        text = fact.text.get(lang)
        if not text:
            return None
        rec, date = sr.record, self.fact_date(fact, lang)
        where = self.where(rec, lang)
        if date and date not in text:
            texts = [self.phrases.get(lang, "claim.output_dated", country=where, field=f, date=date, output=text) for f in self.labels(rec, lang)]
        else:
            texts = [self.phrases.get(lang, "claim.output", country=where, field=f, output=text) for f in self.labels(rec, lang)]
        return self._first_accepted(d, "case_output", sr, lang, texts, [self.citation(fact.source)])

    def outcome_claim(self, d: ClaimSink, sr: ScopedRecord, fact: CaseFact, lang: Lang, sdg=None) -> Claim | None:
        """``case_outcome``: a result the case served; with ``sdg`` (a :class:`pitchgen.sdg.SdgCatalog`) and an
        SDG target linked by the record, also the target and its SDG indicator ids (at most three)."""
        text = fact.text.get(lang)
        if not text:
            return None
        rec, where = sr.record, self.where(sr.record, lang)
        texts = []
        link = rec.sdg_targets[0] if rec.sdg_targets else None
        if sdg is not None and link is not None:
            ids = [i for i in sdg.indicators if i.rsplit(".", 1)[0] == link.target][:3]
            if ids:
                texts += [self.phrases.get(lang, "claim.outcome_sdg", country=where, field=f, outcome=text, target=link.target,
                                           indicators=", ".join(ids)) for f in self.labels(rec, lang)]
        texts += [self.phrases.get(lang, "claim.outcome", country=where, field=f, outcome=text) for f in self.labels(rec, lang)]
        return self._first_accepted(d, "case_outcome", sr, lang, texts, [self.citation(fact.source)])

    def amount_claim(self, d: ClaimSink, sr: ScopedRecord, amount: CaseAmount, lang: Lang) -> Claim | None:
        """``case_financing`` for one amount (e.g. "grant aid of about 2 billion yen"); None when it cannot be
        said (:func:`amount_phrase`) or the verifier refuses it."""
        phrase = amount_phrase(amount, lang, self.phrases)
        if phrase is None:
            return None
        where = self.where(sr.record, lang)
        texts = [self.phrases.get(lang, "claim.financed_amount", country=where, field=f, amount=phrase) for f in self.labels(sr.record, lang)]
        return self._first_accepted(d, "case_financing", sr, lang, texts, [self.citation(amount.source)])

    def amount_note(self, claim: Claim, amount: CaseAmount, lang: Lang) -> str:
        """Speaker note giving an amount as the source states it, for the reviewer to compare."""
        src = f"{self.files[amount.source.doc_id]}:{amount.source.line_start}-{amount.source.line_end}"
        return self.phrases.get(lang, "notes.amount_original", n=claim.marker, original=f"{amount.what} {amount.value:g}{amount.unit}",
                                source=src)

    def financing_claims(self, d: ClaimSink, sr: ScopedRecord, lang: Lang) -> tuple[list[Claim], list[str]]:
        """``case_financing``: one claim per amount the record states (in the partner's form), or else one
        naming the schemes its quotes name. Returns the claims and speaker notes giving each amount as the
        source states it."""
        rec, where = sr.record, self.where(sr.record, lang)
        claims, notes = [], []
        for amount in rec.amounts:
            claim = self.amount_claim(d, sr, amount, lang)
            if claim is not None:
                claims.append(claim)
                notes.append(self.amount_note(claim, amount, lang))
        if claims:
            return claims, notes
        fin = financing_with_evidence(rec)
        if fin:
            schemes = "; ".join(self.phrases.get(lang, f"fin.{s}") if s in NAMED_SCHEMES else mid_sentence(self.phrases.get(lang, f"fin.{s}"))
                                for s, _ in fin)
            cites = list(dict.fromkeys(self.citation(ref) for _, ref in fin))
            texts = [self.phrases.get(lang, "claim.financed", country=where, field=f, schemes=schemes) for f in self.labels(rec, lang)]
            claim = self._first_accepted(d, "case_financing", sr, lang, texts, cites)
            if claim is not None:
                claims.append(claim)
        return claims, notes

    def result_claim(self, d: ClaimSink, sr: ScopedRecord, lang: Lang, sdg=None, notes: list[str] | None = None) -> Claim | None:
        """The case's key result: an outcome, else an output with a figure, else an amount, else any output,
        else its furthest stage."""
        rec = sr.record
        for fact in rec.outcomes:
            if (claim := self.outcome_claim(d, sr, fact, lang, sdg)) is not None:
                return claim
        outputs = sorted(rec.outputs, key=lambda f: f.value is None)
        for fact in (f for f in outputs if f.value is not None):
            if (claim := self.output_claim(d, sr, fact, lang)) is not None:
                return claim
        for amount in rec.amounts:
            if (claim := self.amount_claim(d, sr, amount, lang)) is not None:
                if notes is not None:
                    notes.append(self.amount_note(claim, amount, lang))
                return claim
        for fact in (f for f in outputs if f.value is None):
            if (claim := self.output_claim(d, sr, fact, lang)) is not None:
                return claim
        reached = stage_reached(rec)
        entries = sorted((e for e in rec.stages if e.stage == reached), key=_date_key)
        return self.stage_claim(d, sr, entries[-1], lang) if entries else None

    def facts(self, d: ClaimSink, scoped: Sequence[ScopedRecord], lang: Lang, limit: int, sdg=None,
              notes: list[str] | None = None) -> list[Bullet]:
        """Per case (up to ``limit``), its key result (:meth:`result_claim`) as a bullet; the source's
        wording of any amount shown is appended to ``notes`` when given."""
        out = []
        for sr in scoped[:limit]:
            claim = self.result_claim(d, sr, lang, sdg, notes)
            if claim is not None:
                out.append(Bullet(text=claim.text, claim_id=claim.claim_id))
        return out

    def pathway_records(self, records: Sequence[CaseRecord], country: str, scoped: Sequence[ScopedRecord]) -> list[ScopedRecord]:
        """Cases that went from agreement or survey to order: the sector's own first, else the partner's
        country or region in any sector, else anywhere."""

        def went(rec: CaseRecord) -> bool:
            stages = {e.stage for e in rec.stages}
            return "order" in stages and bool({"agreement", "survey"} & stages)

        own = [sr for sr in scoped if went(sr.record)]
        if own:
            return own
        region = self.vocab.region_of(country)
        near = [ScopedRecord(r, "partner" if r.country == country else "region") for r in records
                if went(r) and (r.country == country or (region and r.country in region.members))]
        near.sort(key=lambda sr: sr.scope != "partner")  # the partner's own cases first
        return near or [ScopedRecord(r, "global") for r in records if went(r)]

    def pathways(self, d: ClaimSink, scoped: Sequence[ScopedRecord], lang: Lang, limit: int,
                 notes: list[str] | None = None) -> list[Bullet]:
        """Per case (up to ``limit``): a ``pathway`` claim (its first agreement, survey and order entries in
        date order, each cited), then its ``case_financing`` claims as sub-bullets. Amount notes (the
        source's wording) are appended to ``notes`` when given."""
        ph = self.phrases
        out = []
        for sr in scoped[:limit]:
            rec = sr.record
            firsts = [min((e for e in rec.stages if e.stage == st), key=_date_key, default=None) for st in ("agreement", "survey", "order")]
            steps, cites = [], []
            for e in sorted((e for e in firsts if e), key=_date_key):
                when = f" ({entry_date(e, lang, ph)})" if self.dated_by_quote(e) else ""
                steps.append(f"{stage_event_text(e, lang, ph)}{when}")
                cites.append(self.citation(e.source))
            text = ph.get(lang, "claim.pathway", country=self.where(rec, lang), field=self.field(rec, lang),
                          steps=ph.get(lang, "arrow").join(steps))
            claim = d.add("pathway", text, cites, country=rec.country, scope=sr.scope)
            if claim is not None:
                out.append(Bullet(text=claim.text, claim_id=claim.claim_id))
            fin, fin_notes = self.financing_claims(d, sr, lang)
            out += [Bullet(text=c.text, claim_id=c.claim_id, level=1 if claim is not None else 0) for c in fin]
            if notes is not None:
                notes.extend(fin_notes)
        return out
