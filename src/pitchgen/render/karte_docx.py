"""Country dossier (``pitchgen karte``): every case of a country by stage over time, in the partner's language.

Contents: a summary by furthest stage, an editable timeline chart (XY
scatter: x = year, y = case number, one series per stage; see
:mod:`pitchgen.render.docx_chart`), then one table per case (stage, date,
event, source) with its financing and SDG targets, and the original Japanese
quotes in a numbered reference list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pitchgen.cases.select import stage_reached
from pitchgen.cases.store import parse_case_date
from pitchgen.corpus import Corpus
from pitchgen.fsutil import atomic_save
from pitchgen.generate.case_slides import amount_phrase, entry_date, stage_event_text
from pitchgen.generate.phrases import Phrases
from pitchgen.records import CASE_STAGES, CaseRecord, Lang, SourceRef
from pitchgen.sdg import SdgCatalog
from pitchgen.vocab import Vocabulary, country_name, language_name

_STAGE_MARKERS = ("circle", "diamond", "triangle", "square")


@dataclass(frozen=True)
class DossierRow:
    """One table row: localized stage, date and event, and the reference number."""

    stage: str
    date: str
    event: str
    ref: int


def case_label(rec: CaseRecord, lang: Lang, vocab: Vocabulary) -> str:
    """Case title in ``lang`` if the record has one, else "country: sector" in ``lang`` (CLDR + sectors.yaml)."""
    if rec.title.get(lang):
        return rec.title[lang]
    where = country_name(rec.country, lang) if not rec.country.startswith("region:") \
        else vocab.regions[rec.country[7:]].names[lang]
    return f"{where}: {vocab.sectors[rec.sector].names[lang]}"


def timeline_points(records: Sequence[CaseRecord]) -> dict[str, list[tuple[float, int]]]:
    """Scatter points per stage: (year + (month-1)/12, case number 1..n).

    >>> from pitchgen.records import CaseRecord
    >>> rec = CaseRecord.model_validate({"id": "x", "title": {"ja": "x", "en": "x"}, "country": "VN", "sector": "postal",
    ...     "curation": {"status": "draft"}, "stages": [{"stage": "agreement", "date": "2018-07",
    ...     "source": {"doc_id": "d", "line_start": 1, "line_end": 1, "quote": "q"}}]})
    >>> timeline_points([rec])["agreement"]
    [(2018.5, 1)]
    """
    out: dict[str, list[tuple[float, int]]] = {s: [] for s in CASE_STAGES}
    for i, rec in enumerate(records, start=1):
        for st in rec.stages:
            year, month, _ = parse_case_date(st.date)
            out[st.stage].append((year + ((month or 1) - 1) / 12, i))
    return out


def render_dossier(country: str, lang: Lang, records: Sequence[CaseRecord], corpus: Corpus, phrases: Phrases,
                   sdg: SdgCatalog, vocab: Vocabulary, out_path: Path, generated_on: str) -> None:
    """Write the dossier DOCX atomically to ``out_path`` (the caller checks ``--force``)."""
    from docx import Document
    from docx.shared import Pt
    from pptx.chart.data import XyChartData
    from pptx.enum.chart import XL_CHART_TYPE

    from pitchgen.render.docx_chart import add_chart, emu

    ph = phrases
    cname = country_name(country, lang) if not country.startswith("region:") else vocab.regions[country[7:]].names[lang]
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Sans"
    style.font.size = Pt(10)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", "Noto Sans CJK JP")
    doc.add_heading(ph.get(lang, "karte.title", country=cname), level=0)
    doc.add_paragraph(ph.get(lang, "karte.subtitle", date=generated_on))
    if not records:
        doc.add_paragraph(ph.get(lang, "karte.none", country=cname))
    else:
        doc.add_paragraph(ph.get(lang, "karte.summary", n=len(records)))
        summary = doc.add_table(rows=1, cols=2)
        summary.style = "Table Grid"
        summary.rows[0].cells[0].text = ph.get(lang, "karte.reached")
        summary.rows[0].cells[1].text = ph.get(lang, "karte.case")
        for st in CASE_STAGES:
            n = sum(1 for r in records if stage_reached(r) == st)
            row = summary.add_row().cells
            row[0].text, row[1].text = ph.get(lang, f"stage.{st}"), str(n)
        doc.add_heading(ph.get(lang, "karte.timeline"), level=1)
        data = XyChartData()
        for st, pts in timeline_points(records).items():
            series = data.add_series(ph.get(lang, f"stage.{st}"))
            for x, y in pts:
                series.add_data_point(x, y)
        add_chart(doc.add_paragraph(), XL_CHART_TYPE.XY_SCATTER, data, emu(6.3), emu(3.2), title=ph.get(lang, "karte.timeline"))
        refs: list[tuple[int, SourceRef]] = []
        for i, rec in enumerate(records, start=1):
            doc.add_heading(f"#{i} {case_label(rec, lang, vocab)}", level=2)
            table = doc.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, key in zip(table.rows[0].cells, ("karte.stage", "karte.date", "karte.event", "karte.source")):
                cell.text = ph.get(lang, key)
            for st in sorted(rec.stages, key=lambda s: (parse_case_date(s.date)[0], parse_case_date(s.date)[1] or 0)):
                refs.append((len(refs) + 1, st.source))
                cells = table.add_row().cells
                cells[0].text = ph.get(lang, f"stage.{st.stage}")
                cells[1].text = entry_date(st, lang, ph)
                cells[2].text = stage_event_text(st, lang, ph)
                cells[3].text = f"[{len(refs)}]"
            results = [(f.text[lang], f.source) for f in rec.outputs + rec.outcomes if f.text.get(lang)]
            results += [(text, a.source) for a in rec.amounts if (text := amount_phrase(a, lang, ph))]
            if results:
                doc.add_paragraph(ph.get(lang, "karte.results"))
                for text, src in results:
                    refs.append((len(refs) + 1, src))
                    doc.add_paragraph(f"{text} [{len(refs)}]", style="List Bullet")
            if rec.financing:
                doc.add_paragraph(f"{ph.get(lang, 'karte.financing')}: " + "; ".join(ph.get(lang, f"fin.{f}") for f in rec.financing))
            for link in rec.sdg_targets:
                t = sdg.target(link.target, lang)
                note = f" {ph.get(lang, 'fallback.target', language=language_name(t.fallback_lang, lang))}" if t.fallback_lang else ""
                doc.add_paragraph(f"{ph.get(lang, 'karte.sdg')} {link.target}: {t.text}{note}")
        doc.add_heading(ph.labels(lang)["references"], level=1)
        for n, src in refs:
            meta = corpus.get(src.doc_id).meta
            doc.add_paragraph(f"[{n}] {meta.title_ja} / {meta.title_en} — {meta.source_file}, "
                              f"{ph.labels(lang)['lines_label']} {src.line_start}–{src.line_end}: 「{src.quote}」")
    atomic_save(out_path, doc.save)
