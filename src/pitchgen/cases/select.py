"""Choosing, filtering and showing case records.

Selection for a pitch (効果の見える化): the partner country's records first,
then records of the same sector in the partner's region, then the same sector
elsewhere; each comes back with its scope so the deck can say which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pitchgen.cases.store import parse_case_date
from pitchgen.corpus import Corpus
from pitchgen.records import CASE_STAGES, CaseRecord, Lang, SourceRef
from pitchgen.vocab import Vocabulary


def stage_reached(rec: CaseRecord) -> str | None:
    """Furthest stage among the record's stages, or None."""
    ranks = [CASE_STAGES.index(s.stage) for s in rec.stages]
    return CASE_STAGES[max(ranks)] if ranks else None


def filter_records(records: Iterable[CaseRecord], country: str | None = None, sector: str | None = None,
                   stage: str | None = None) -> list[CaseRecord]:
    """Records matching every given filter; ``stage`` means the record reached it."""
    out = []
    for r in records:
        if country and r.country.upper() != country.upper() and r.country != country:
            continue
        if sector and r.sector != sector:
            continue
        if stage and stage not in {s.stage for s in r.stages}:
            continue
        out.append(r)
    return out


def _ref_json(ref: SourceRef, corpus: Corpus) -> dict:
    return {"doc_id": ref.doc_id, "source_file": corpus.get(ref.doc_id).meta.source_file,
            "line_start": ref.line_start, "line_end": ref.line_end, "quote": ref.quote}


def record_json(rec: CaseRecord, corpus: Corpus) -> dict:
    """JSON form of a record: every source carries ``source_file``, lines and quote."""
    data = rec.model_dump(mode="json")

    def fix(obj):
        if isinstance(obj, dict):
            if {"doc_id", "line_start", "line_end", "quote"} <= set(obj):
                return _ref_json(SourceRef(**{k: obj[k] for k in ("doc_id", "line_start", "line_end", "quote")}), corpus)
            return {k: fix(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [fix(v) for v in obj]
        return obj

    data = fix(data)
    data["stage_reached"] = stage_reached(rec)
    return data


def render_text(rec: CaseRecord, lang: Lang, corpus: Corpus) -> str:
    """Plain-text view of a record for ``pitchgen cases show``."""
    title = rec.title.get(lang) or rec.title.get("en") or rec.title.get("ja", "")
    lines = [f"{rec.id}: {title}", f"  country {rec.country} · sector {rec.sector} · {rec.curation.status}"
             + (f" (karte row, line {rec.karte_line})" if rec.karte_line else "")]
    for s in rec.stages:
        what = s.what.get(lang) or s.what.get("en") or s.what.get("ja", "")
        lines.append(f"  [{s.stage:13s}] {s.date:14s} {what}")
        lines.append(f"        {corpus.get(s.source.doc_id).meta.source_file}:{s.source.line_start}-{s.source.line_end} 「{s.source.quote}」")
    for name in ("outputs", "outcomes"):
        for f in getattr(rec, name):
            lines.append(f"  {name[:-1]}: {f.text.get(lang) or f.text.get('en') or f.text.get('ja')}"
                         + (f" ({f.indicator}: {f.value} {f.unit or ''})" if f.indicator else ""))
    for a in rec.amounts:
        val = "unknown (masked in the source)" if a.value is None else f"{a.value:g} {a.unit}"
        lines.append(f"  amount: {a.what}: {val}")
    if rec.financing:
        lines.append(f"  financing: {', '.join(rec.financing)}")
    for link in rec.sdg_targets:
        lines.append(f"  SDG {link.target}: {link.rationale}")
    return "\n".join(lines)


@dataclass(frozen=True)
class ScopedRecord:
    """A record chosen for a pitch, with its scope: ``partner``, ``region`` or ``global``."""

    record: CaseRecord
    scope: str


def _date_key(rec: CaseRecord) -> tuple:
    years = [parse_case_date(s.date)[0] for s in rec.stages]
    return (-(max(years) if years else 0), rec.id)


def related_text(rec: CaseRecord) -> str:
    """The Japanese text a record is matched on: its title and every cited quote."""
    return " ".join([rec.title.get("ja", "")] + [s.source.quote for s in rec.stages] + [o.source.quote for o in rec.outputs])


def select_for_pitch(records: Sequence[CaseRecord], country: str, sector: str, vocab: Vocabulary, limit: int) -> list[ScopedRecord]:
    """Cases for a pitch: the partner's, then its region's, then elsewhere; ``limit`` in all.

    Within each scope, records of ``sector`` come first, then records of
    another sector whose cited text names the sector's keywords (an ISDB-T
    case whose entries are about EWBS warnings is evidence for a
    disaster-prevention pitch); then furthest stage reached, then most recent.
    """
    region = vocab.region_of(country)
    sec = vocab.sectors[sector]
    # a case with no dated stage has nothing to show on a timeline
    picked = [r for r in records if r.stages and (r.sector == sector or sec.matches(related_text(r)))]

    def in_region(r: CaseRecord) -> bool:
        return bool(region) and (r.country in region.members or r.country == f"region:{region.code}")

    def rank(rs: list[CaseRecord]) -> list[CaseRecord]:
        return sorted(rs, key=lambda r: (0 if r.sector == sector else 1,
                                         -(CASE_STAGES.index(stage_reached(r)) if stage_reached(r) else -1), _date_key(r)))

    partner = rank([r for r in picked if r.country == country])
    regional = rank([r for r in picked if r.country != country and in_region(r)])
    rest = rank([r for r in picked if r.country != country and not in_region(r) and r.sector == sector])
    out = [ScopedRecord(r, "partner") for r in partner] + [ScopedRecord(r, "region") for r in regional]
    out += [ScopedRecord(r, "global") for r in rest]
    return out[:limit]
