"""Draft case records from the action plan's karte tables (before curation).

One draft per karte row: country from the row (【国名】) or the table title,
sector from the row's keywords, dated stages from the entries
(:func:`pitchgen.generate.cases.extract_events`: the stage comes from what an
entry says, because merged cells shift the columns), financing guessed from
keywords (総務省予算, JICA, ODA, 補助事業, JBIC, JICT), masked amounts
(``**億円``, ``**台``) kept unknown. Everything is marked ``status: draft``;
a person curates it into ``corpus/cases/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pitchgen.corpus import Corpus
from pitchgen.generate.cases import CaseEvent, case_from_chunk
from pitchgen.glossary import Glossary
from pitchgen.ingest.chunker import Chunker
from pitchgen.records import CaseRecord, Chunk, SourceRef
from pitchgen.vocab import Vocabulary, country_name

_FINANCING_RULES: tuple[tuple[str, str], ...] = (
    (r"総務省\s*予\s*算|総務省予算", "mic_survey_budget"),
    (r"補助事業", "mic_subsidy"),
    (r"JICA", "jica_technical_cooperation"),
    (r"ODA", "oda_unspecified"),
    (r"JBI[C0]", "jbic"),
    (r"JICT", "jict"),
    (r"JAIF|日・ASEAN統合基金", "jaif"),
)
_REGION_WORDS = (("アフリカ", "africa"), ("中南米", "latam"), ("中東", "middle_east"), ("ASEAN", "asean"))
_MASKED = re.compile(r"[^\t]{0,30}?\*\*\s*(億円|台|件)")
_EVENT_WHAT = {
    "adopted": "日本方式採用決定", "broadcast_start": "地上デジタル放送開始", "test_broadcast": "試験放送開始",
    "joint_statement": "共同声明", "mou": "覚書署名", "mou_updated": "覚書の追加・格上げ", "request": "協力要請",
    "proposal": "日本側から提案", "training": "研修", "training_n": "研修", "experts": "専門家派遣",
    "experts_jica": "JICA専門家派遣", "survey": "調査", "demonstration": "実証", "survey_demo": "調査・実証",
    "oda": "ODA支援", "oda_signing": "ODA署名式", "order": "受注", "order_adopted": "導入・採択",
    "order_adopted_hospitals": "病院での導入", "order_service": "サービス開始", "meeting": "会談・会合",
    "working_group": "共同作業部会", "workshop": "ワークショップ", "seminar": "セミナー", "mission": "官民ミッション",
    "visit": "訪問", "visits_n": "訪問", "presentation": "働きかけ", "study": "国内検討",
}


def event_date(ev: CaseEvent) -> str:
    """Case-record date string of an event.

    >>> from pitchgen.generate.cases import extract_events
    >>> [event_date(e) for e in extract_events("2018年8月 覚書に署名\\t2018年度 調査を実施\\t2019年～2020年 研修を実施")]
    ['2018-08', 'FY2018', '2019/2020']
    """
    start = f"FY{ev.year}" if ev.fiscal else (f"{ev.year}-{ev.month:02d}" if ev.month else str(ev.year))
    if ev.year_end:
        return f"{start}/{'FY' if ev.fiscal else ''}{ev.year_end}"
    return start


def draft_from_row(chunk: Chunk, vocab: Vocabulary) -> CaseRecord | None:
    """A draft record for one karte-row chunk, or None when the row names no country."""
    case = case_from_chunk(chunk)
    country = case.country or next((f"region:{code}" for key, code in _REGION_WORDS if key in chunk.heading), None)
    if not country:
        return None
    sector = next((s.slug for s in vocab.sectors.values() if s.matches(case.field_ja)), None) \
        or next((s.slug for s in vocab.sectors.values() if s.matches(case.summary_ja)), None) \
        or next((s.slug for s in vocab.sectors.values() if s.matches(chunk.text)), "broadband")
    ref = SourceRef(doc_id=chunk.doc_id, line_start=chunk.line_start, line_end=chunk.line_end, quote=chunk.text)
    stages = [
        {"stage": ev.stage, "date": event_date(ev), "what": {"ja": _EVENT_WHAT.get(ev.phrase, ev.kind)},
         "source": ref.model_copy(update={"quote": ev.quote}).model_dump()}
        for ev in case.events
    ]
    financing = [f for pat, f in _FINANCING_RULES if re.search(pat, chunk.text)]
    amounts = [
        {"what": m.group(0).strip(" ・()（）"), "value": None, "unit": m.group(1), "masked": True,
         "source": ref.model_copy(update={"quote": m.group(0)}).model_dump()}
        for m in _MASKED.finditer(chunk.text)
    ]
    field = re.sub(r"\s+", "", case.field_ja)
    summary = re.sub(r"\s+", "", case.summary_ja)
    cname = country_name(country, "en") if not country.startswith("region:") else vocab.regions[country[7:]].names["en"]
    data = {
        "id": f"{country.replace('region:', '').lower()}-{sector}-l{chunk.line_start}",
        "title": {"ja": f"{field} {summary}".strip(),
                  "en": f"{cname}: {vocab.sectors[sector].names['en']}"},
        "country": country,
        "sector": sector,
        "stages": stages,
        "amounts": amounts,
        "financing": list(dict.fromkeys(financing)),
        "sources": [ref.model_copy(update={"quote": chunk.text.split("\t")[0] or chunk.text[:40]}).model_dump()],
        "curation": {"status": "draft", "by": "pitchgen cases draft", "note": "parsed from the karte row; not yet checked by a person"},
        "origin": "karte",
        "karte_line": chunk.line_start,
    }
    return CaseRecord.model_validate(data)


def karte_rows(corpus: Corpus, glossary: Glossary) -> list[Chunk]:
    """All karte-row chunks of the action plan."""
    chunker = Chunker(countries_ja=glossary.countries_ja)
    return [c for c in chunker.chunk(corpus.get("mic-action-plan-2020")) if c.kind == "karte_row"]


def write_drafts(corpus: Corpus, glossary: Glossary, vocab: Vocabulary, out_dir: Path) -> tuple[list[Path], list[int]]:
    """Write one YAML draft per karte row. Returns (files written, karte lines with no country)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written, skipped = [], []
    for chunk in karte_rows(corpus, glossary):
        rec = draft_from_row(chunk, vocab)
        if rec is None:
            skipped.append(chunk.line_start)
            continue
        path = out_dir / f"{rec.id}.yaml"
        path.write_text(dump_record(rec), encoding="utf-8")
        written.append(path)
    return written, skipped


def _prune(obj, keep_none: frozenset[str] = frozenset({"value"})):
    if isinstance(obj, dict):
        return {k: _prune(v) for k, v in obj.items() if (v is not None or k in keep_none) and v not in ((), [], {})}
    if isinstance(obj, (list, tuple)):
        return [_prune(v) for v in obj]
    return obj


def dump_record(rec: CaseRecord) -> str:
    """YAML text of a record (unicode kept, field order kept; empty fields dropped, ``value: null`` kept)."""
    return yaml.safe_dump(_prune(rec.model_dump()), allow_unicode=True, sort_keys=False, width=120)
