"""Deck and brief text: partner-language check and terminology check, pure and through ``evaluate_dir``.

Fixtures are built here with python-pptx and python-docx: a one-claim output
folder whose claim cites a real corpus line, so every other check passes and
only the text under test decides the outcome.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from pptx import Presentation
from pptx.util import Inches

from pitchgen.corpus import Corpus
from pitchgen.glossary import Glossary
from pitchgen.verify.checks import evaluate_dir
from pitchgen.verify.deck_text import (
    REFERENCE_ENTRY,
    TextUnit,
    brief_units,
    deck_units,
    form_occurrences,
    japanese_runs,
    partner_language_findings,
    same_rendering,
    terminology_findings,
)

DOC_ID = "white-paper-2023-ict-intl-strategy"
SOURCE = "002_589c5af6fc00dccb.txt"
QUOTE = "ペルー、エクアドル等の国々で日本方式の機能の一つである緊急警報\n放送システム（EWBS：Emergency Warning Broadcast System）の導入支援を行っている"
REFERENCE = f"[1] 令和5年版 情報通信白書 / White Paper 2023 — {SOURCE}, líneas 878–879: 「{QUOTE.replace(chr(10), '')}」"


@pytest.fixture(scope="module")
def glossary(root) -> Glossary:
    return Glossary(root / "corpus" / "glossary")


@pytest.fixture(scope="module")
def corpus(root) -> Corpus:
    return Corpus(root / "corpus" / "policy" / "manifest.yaml")


def write_output(out: Path, lang: str, slides: list[list[str]], brief: list[str], *, notes: str = "",
                 table: list[list[str]] | None = None, references: tuple[str, ...] = (REFERENCE,),
                 brief_table: list[list[str]] | None = None) -> Path:
    """An output folder: claims.json (one claim on slide 1, marker [1]), deck.pptx, brief.docx.

    ``slides``: per slide, the title then body paragraphs; ``[1]`` is appended
    to the first body line of slide 1 and the quote always goes in slide 1's
    notes (plus ``notes``). ``table`` is added to the last slide.
    ``brief``: body paragraphs under one heading, then a references heading
    and ``references``; ``brief_table`` goes after the bullets.
    """
    out.mkdir(parents=True)
    claim = {"claim_id": "c01", "text": "claim", "lang": lang, "slide": 1, "kind": "output", "marker": 1,
             "citations": [{"doc_id": DOC_ID, "source_file": SOURCE, "line_start": 878, "line_end": 879, "quote": QUOTE}]}
    (out / "claims.json").write_text(json.dumps({"lang": lang, "claims": [claim]}, ensure_ascii=False), encoding="utf-8")
    prs = Presentation()
    for n, (title, *body) in enumerate(slides, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = title
        lines = list(body) or [""]
        if n == 1:
            lines[0] = f"{lines[0]} [1]"
            slide.notes_slide.notes_text_frame.text = f"[1] {SOURCE} 878-879: {QUOTE}\n{notes}"
        slide.placeholders[1].text_frame.text = "\n".join(lines)
        if table and n == len(slides):
            shape = slide.shapes.add_table(len(table), len(table[0]), Inches(1), Inches(5), Inches(6), Inches(1))
            for r, row in enumerate(table):
                for c, text in enumerate(row):
                    shape.table.cell(r, c).text = text
    prs.save(str(out / "deck.pptx"))
    document = docx.Document()
    document.add_paragraph("Brief", style="Title")
    document.add_paragraph("Section", style="Heading 1")
    for text in brief:
        document.add_paragraph(text, style="List Bullet")
    if brief_table:
        grid = document.add_table(rows=len(brief_table), cols=len(brief_table[0]))
        for r, row in enumerate(brief_table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    document.add_paragraph("References", style="Heading 1")
    for text in references:
        document.add_paragraph(text)
    document.save(str(out / "brief.docx"))
    return out


def failures(report, check: str) -> dict[str, str]:
    return {r.claim_id: r.detail for r in report.failed if r.check == check}


# --- reading ------------------------------------------------------------------------


def test_deck_units_read_titles_bullets_and_tables_but_not_notes(tmp_path):
    out = write_output(tmp_path / "o", "es", [["Título", "Viñeta uno", "Viñeta dos"], ["Casos"]],
                       ["x"], notes="NOTA SECRETA", table=[["Caso", "Año"], ["Perú", "2016"]])
    units = deck_units(out / "deck.pptx")
    texts = [u.text for u in units]
    assert {"Título", "Viñeta uno [1]", "Viñeta dos", "Casos", "Caso", "Perú", "2016"} <= set(texts)
    assert not any("NOTA" in t or "ペルー" in t for t in texts)
    assert {u.slide for u in units} == {1, 2} and all(u.kind == "slide" for u in units)
    assert any(u.where.startswith("slide 2, table") and u.text == "2016" for u in units)


def test_brief_units_mark_reference_entries_after_the_last_heading(tmp_path):
    out = write_output(tmp_path / "o", "es", [["T", "b"]], ["Viñeta"])
    units = brief_units(out / "brief.docx")
    kinds = {u.text: u.kind for u in units}
    assert kinds["Viñeta"] == "brief" and kinds[REFERENCE] == "reference"
    assert kinds["References"] == "brief"  # a heading is body text, checked like any other
    assert REFERENCE_ENTRY.match(REFERENCE)


def test_a_reference_shaped_bullet_before_the_references_heading_is_body_text(tmp_path):
    out = write_output(tmp_path / "o", "es", [["T", "b"]], [REFERENCE])
    units = brief_units(out / "brief.docx")
    assert [u.kind for u in units if u.text == REFERENCE] == ["brief", "reference"]


# --- check 1: partner-language text -----------------------------------------------------


@pytest.mark.parametrize("text,runs", [
    ("Sistema 緊急警報 [3]", ["緊急警報"]),
    ("Hệ thống 「地上デジタル放送日本方式」", []),
    ("El “総務省” y el \"総務省\" y 『日本方式』", []),
    ("Perú（sistema）", ["（", "）"]),
    ("カタカナ and ひらがな、", ["カタカナ", "ひらがな、"]),
    ("No Japanese here: Perú · 2026–2027 → [1]", []),
])
def test_japanese_runs(text, runs):
    assert japanese_runs(text) == runs


def test_japanese_on_a_slide_fails_naming_slide_and_text(tmp_path, corpus):
    out = write_output(tmp_path / "o", "es", [["Título", "Sistema EWBS"], ["Desafío", "Alerta de 緊急警報 para todos"]], ["Viñeta"])
    report = evaluate_dir(out, corpus)
    failed = failures(report, "partner_language_text")
    assert set(failed) == {"slide2"}
    assert "slide 2" in failed["slide2"] and "緊急警報" in failed["slide2"] and "Alerta de" in failed["slide2"]
    assert not report.ok


def test_japanese_in_a_table_cell_fails(tmp_path, corpus):
    out = write_output(tmp_path / "o", "vi", [["Tiêu đề", "Nội dung"]], ["x"], table=[["Trường hợp", "調査・実証"]])
    failed = failures(evaluate_dir(out, corpus), "partner_language_text")
    assert set(failed) == {"slide1"} and "調査・実証" in failed["slide1"]


def test_japanese_in_the_brief_body_fails_naming_the_paragraph(tmp_path, corpus):
    out = write_output(tmp_path / "o", "pt", [["Título", "Texto"]], ["Primeiro ponto", "Segundo ponto 防災ICT"])
    report = evaluate_dir(out, corpus)
    failed = failures(report, "partner_language_text")
    assert set(failed) == {"brief paragraph 4"}, failed
    assert "防災ICT" in failed["brief paragraph 4"] and not report.ok


def test_japanese_in_a_brief_table_cell_fails(tmp_path, corpus):
    out = write_output(tmp_path / "o", "en", [["Title", "Body"]], ["Point"],
                       brief_table=[["Output", "Outcome"], ["EWBS roll-out", "死傷者の減少"]])
    units = brief_units(out / "brief.docx")
    assert [u.where for u in units if u.where.startswith("brief table")] == [
        "brief table 1 row 1 cell 1", "brief table 1 row 1 cell 2", "brief table 1 row 2 cell 1", "brief table 1 row 2 cell 2"]
    failed = failures(evaluate_dir(out, corpus), "partner_language_text")
    assert set(failed) == {"brief table 1 row 2 cell 2"} and "死傷者の減少" in failed["brief table 1 row 2 cell 2"]


def test_quoted_names_pass(tmp_path, corpus):
    out = write_output(tmp_path / "o", "es", [["Título", "Norma 「地上デジタル放送日本方式」 y “総務省”"]],
                       ['Plan "総務省海外展開行動計画2020" citado'])
    report = evaluate_dir(out, corpus)
    assert not failures(report, "partner_language_text")
    assert {r.claim_id for r in report.results if r.check == "partner_language_text"} == {"deck", "brief"}
    assert report.ok, report.failed


def test_speaker_notes_are_ignored(tmp_path, corpus):
    out = write_output(tmp_path / "o", "en", [["Title", "Body"]], ["Point"], notes="原文：緊急警報放送システムの導入支援")
    report = evaluate_dir(out, corpus)
    assert not failures(report, "partner_language_text") and report.ok, report.failed


def test_reference_entries_may_quote_japanese_titles_but_not_japanese_labels(tmp_path, corpus):
    ok = evaluate_dir(write_output(tmp_path / "ok", "es", [["T", "b"]], ["x"]), corpus)
    assert not failures(ok, "partner_language_text")
    bad_ref = REFERENCE.replace("líneas", "行")
    bad = evaluate_dir(write_output(tmp_path / "bad", "es", [["T", "b"]], ["x"], references=(bad_ref,)), corpus)
    failed = failures(bad, "partner_language_text")
    assert list(failed) == ["brief paragraph 5"] and "'行'" in failed["brief paragraph 5"]


def test_japanese_outputs_are_exempt(tmp_path, corpus):
    out = write_output(tmp_path / "o", "ja", [["防災ICT：ペルーとの協力提案", "緊急警報放送システムの導入"]], ["日本方式の採用"])
    report = evaluate_dir(out, corpus)
    assert not [r for r in report.results if r.check == "partner_language_text"]
    assert partner_language_findings([TextUnit("slide 1, Title 1", "緊急警報", "slide", 1)], "ja") == []
    assert partner_language_findings([TextUnit("slide 1, Title 1", "緊急警報", "slide", 1)], "en")


# --- check 2: terminology ----------------------------------------------------------------


def test_form_occurrences_longest_form_wins_at_one_place(glossary):
    hits = form_occurrences(glossary, "Tiêu chuẩn ISDB-T được áp dụng; ISDB-T lan rộng.", "vi")
    isdb = [(h.form, h.rank) for h in hits if h.term_id == "isdb_t"]
    assert isdb == [("tiêu chuẩn ISDB-T", 3), ("ISDB-T", 0)]
    # "alerta" (early warning) inside the EWBS name is not counted
    es = form_occurrences(glossary, "el sistema de alerta de emergencia funciona", "es")
    assert [h.term_id for h in es] == ["ewbs"]


def test_form_occurrences_are_accent_aware_like_the_glossary(glossary):
    assert [h.form for h in form_occurrences(glossary, "Chinh phu dien tu cua Viet Nam", "vi") if h.term_id == "e_government"] \
        == ["Chính phủ điện tử"]
    # accents written in the text must agree: "châu Âu" (Europe) is not "AU" (African Union)
    assert not [h for h in form_occurrences(glossary, "Liên minh châu Âu", "vi") if h.term_id == "african_union"]
    # acronyms match as written: "its" is not the ITS system
    assert not [h for h in form_occurrences(glossary, "its network", "en") if h.term_id == "its"]


@pytest.mark.parametrize("text,lang", [
    ("Japón apoya el Sistema de Alerta de Emergencia (EWBS) de la norma ISDB-T en Perú.", "es"),
    ("Nhật Bản hỗ trợ Chính phủ điện tử và thống kê tại Việt Nam cùng JICA.", "vi"),
    ("O sistema de telemedicina foi contratado no Brasil e no Chile.", "pt"),
    ("Japan supports the Emergency Warning Broadcast System in the Philippines.", "en"),
    ("ペルーでは緊急警報放送システムの導入を支援した。", "ja"),
])
def test_form_occurrences_find_the_terms_glossary_find_finds(glossary, text, lang):
    assert {h.term_id for h in form_occurrences(glossary, text, lang)} == {t.term_id for t in glossary.find(text, lang)}


def test_same_rendering():
    assert same_rendering("Bộ trưởng Bộ Nội vụ và Truyền thông Nhật Bản", "Bộ Nội vụ và Truyền thông Nhật Bản", "vi")
    assert same_rendering("Minister for Internal Affairs and Communications", "Ministry of Internal Affairs and Communications", "en")
    assert not same_rendering("EWBS", "Emergency Warning Broadcast System", "en")
    assert not same_rendering("Trung tâm nâng cao năng lực an ninh mạng ASEAN – Nhật Bản",
                              "Trung tâm xây dựng năng lực an ninh mạng ASEAN – Nhật Bản", "vi")


def test_a_term_rendered_two_ways_fails(tmp_path, corpus):
    out = write_output(tmp_path / "o", "en", [["Proposal", "Japan supports EWBS in Peru"]],
                       ["The Emergency Warning Broadcast System reaches every household"])
    report = evaluate_dir(out, corpus)
    failed = failures(report, "terminology")
    assert set(failed) == {"term:ewbs"}
    assert "'EWBS' (slide 1" in failed["term:ewbs"] and "'Emergency Warning Broadcast System' (brief paragraph 3)" in failed["term:ewbs"]
    assert not report.ok


def test_two_proper_names_in_vietnamese_fail(tmp_path, corpus):
    out = write_output(tmp_path / "o", "vi", [["Chính phủ số và thống kê", "Hỗ trợ Chính phủ điện tử"]], ["Chính phủ điện tử"])
    failed = failures(evaluate_dir(out, corpus), "terminology")
    assert set(failed) == {"term:e_government"} and "'Chính phủ số' (slide 1)" in failed["term:e_government"]


def test_a_form_inside_a_longer_form_of_the_same_term_passes(tmp_path, corpus):
    out = write_output(tmp_path / "o", "vi", [["Tiêu đề", "Hệ thống Chính phủ điện tử của Bộ Nội vụ và Truyền thông Nhật Bản"]],
                       ["Chính phủ điện tử", "Bộ trưởng Bộ Nội vụ và Truyền thông Nhật Bản thăm Việt Nam"])
    report = evaluate_dir(out, corpus)
    assert not failures(report, "terminology") and report.ok, report.failed
    assert not [w for w in report.warnings if w.claim_id in ("term:e_government", "term:mic")]


def test_a_parenthesised_definition_links_name_and_acronym(tmp_path, corpus):
    out = write_output(tmp_path / "o", "es", [["Título", "Sistema de Alerta de Emergencia por Radiodifusión (EWBS) en Perú"]],
                       ["La difusión del EWBS avanza", "El sistema de alerta de emergencia llega a todos"])
    report = evaluate_dir(out, corpus)
    assert not failures(report, "terminology") and report.ok, report.failed


def test_two_forms_named_side_by_side_are_two_things_and_only_warn(glossary):
    units = [TextUnit("slide 3, Text Placeholder 2", "Trên thị trường Open RAN và RAN ảo hóa, Nhật Bản đi đầu.", "slide", 3),
             TextUnit("slide 4, Title 1", "Thiết bị Open RAN", "slide", 4)]
    (finding,) = [f for f in terminology_findings(glossary, units, "vi") if f.term_id == "open_ran"]
    assert finding.severity == "warn"
    apart = [TextUnit("slide 3, Title 1", "Thị trường RAN ảo hóa", "slide", 3), units[1]]
    assert [f.severity for f in terminology_findings(glossary, apart, "vi") if f.term_id == "open_ran"] == ["fail"]


def test_generic_forms_and_non_preferred_forms_only_warn(tmp_path, corpus):
    out = write_output(tmp_path / "o", "es", [["Título", "La norma ISDB-T en Perú"]],
                       ["Difundir la televisión digital terrestre", "Lo apoya el MIC"])
    report = evaluate_dir(out, corpus)
    assert not failures(report, "terminology") and report.ok, report.failed
    warned = {w.claim_id: w.detail for w in report.warnings}
    assert "rendered 2 ways" in warned["term:isdb_t"] and "non-preferred" in warned["term:mic"]
    assert all(w.passed and w.detail.startswith("warning: ") for w in report.warnings)
    assert report.as_dict()["warnings"]


def test_terminology_ignores_reference_entries(glossary):
    units = [TextUnit("slide 1, Title 1", "EWBS", "slide", 1),
             TextUnit("brief paragraph 9", "[1] Plan — f.txt, lines 1–1: 「Emergency Warning Broadcast System」", "reference")]
    assert terminology_findings(glossary, units, "en") == []


def test_ja_terminology_only_warns_between_kanji_and_latin_names(glossary):
    units = [TextUnit("slide 1, Title 1", "緊急警報放送システムの導入", "slide", 1), TextUnit("slide 2, Title 1", "EWBSの普及", "slide", 2)]
    (finding,) = [f for f in terminology_findings(glossary, units, "ja") if f.term_id == "ewbs"]
    assert finding.term_id == "ewbs" and finding.severity == "warn" and finding.kind == "several_renderings"


def test_an_unloadable_glossary_fails_the_check(tmp_path, corpus):
    out = write_output(tmp_path / "o", "en", [["Title", "Body"]], ["Point"])
    assert evaluate_dir(out, corpus).ok  # no glossary given: corpus/glossary next to the corpus's policy/ folder
    broken = type("G", (), {"terms": None})()
    bad = evaluate_dir(out, corpus, glossary=broken)
    assert "-" in failures(bad, "terminology") and not bad.ok
