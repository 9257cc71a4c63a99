"""Case slides from case records: stage timeline table, results, and financing pathways.

Every sentence is a template phrase filled from one record's cited stage
entries (the event its quote states, the date it gives); a financing scheme
is named only when one of the record's cited quotes names it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from pitchgen.cases.select import ScopedRecord, stage_reached
from pitchgen.cases.store import parse_case_date
from pitchgen.generate.phrases import Phrases, format_event_date
from pitchgen.glossary import Glossary
from pitchgen.records import CASE_STAGES, Bullet, CaseRecord, CaseStageEntry, Citation, Claim, Lang, Slide, SourceRef
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


def stage_event_text(entry: CaseStageEntry, lang: Lang, phrases: Phrases) -> str:
    """Localized description of a stage entry: the event its quote states, else the stage name.

    The quote is classified with the same rules as karte entries; when it names
    no known event, the stage label is used rather than a guess.
    """
    events = extract_events(entry.source.quote)
    if events:
        ev = events[0]
        return phrases.get(lang, f"event.{ev.phrase}", n=ev.count)
    label = phrases.get(lang, f"stage.{entry.stage}")
    # a stage name used mid-sentence: "→ contrato y operación" (but keep "MoU")
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() else label


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
        generic = {"ja": "ICT", "vi": "CNTT", "es": "TIC", "en": "ICT", "pt": "TIC"}[lang]  # when no label is in the lines
        labels = list(dict.fromkeys((self.field(rec, lang), self.vocab.sectors[rec.sector].names[lang], generic)))
        for i, field in enumerate(labels):
            values = dict(country=self.where(rec, lang), field=field, event=event)
            if self.dated_by_quote(entry):
                text = self.phrases.get(lang, "claim.event", date=entry_date(entry, lang, self.phrases), **values)
            else:
                text = self.phrases.get(lang, "claim.event_undated", **values)
            claim = d.add("case_event", text, [self.citation(entry.source)], country=rec.country, scope=sr.scope,
                          record_refusal=i == len(labels) - 1)
            if claim is not None:
                return claim
        return None

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

    def facts(self, d: ClaimSink, scoped: Sequence[ScopedRecord], lang: Lang, limit: int) -> list[Bullet]:
        """Per case, its furthest stage (latest entry of it): the result reached."""
        out = []
        for sr in scoped[:limit]:
            reached = stage_reached(sr.record)
            entries = sorted((e for e in sr.record.stages if e.stage == reached), key=_date_key)
            if entries:
                claim = self.stage_claim(d, sr, entries[-1], lang)
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

    def pathways(self, d: ClaimSink, scoped: Sequence[ScopedRecord], lang: Lang, limit: int) -> list[Bullet]:
        """One claim per case: its first agreement, survey and order entries in date order, plus the
        financing schemes its quotes name; each step cited."""
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
            fin = financing_with_evidence(rec)
            if fin:
                text += ph.get(lang, "claim.financing", schemes="; ".join(ph.get(lang, f"fin.{s}") for s, _ in fin))
                cites.extend(self.citation(ref) for _, ref in fin if self.citation(ref) not in cites)
            claim = d.add("pathway", text, cites, country=rec.country, scope=sr.scope)
            if claim is not None:
                out.append(Bullet(text=claim.text, claim_id=claim.claim_id))
        return out
