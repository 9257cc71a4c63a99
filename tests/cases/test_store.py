"""Case records: drafts from the karte tables, checks with file:line, selection, dossier."""

from pathlib import Path

import pytest

from pitchgen.cases.draft import dump_record, karte_rows, write_drafts
from pitchgen.cases.select import filter_records, record_json, select_for_pitch, stage_reached
from pitchgen.cases.store import CaseBook, load_case_file, parse_case_date


@pytest.fixture(scope="module")
def drafts(resources, tmp_path_factory):
    out = tmp_path_factory.mktemp("drafts")
    files, skipped = write_drafts(resources.corpus, resources.glossary, resources.vocab, out)
    return out, files, skipped


def test_every_karte_row_gets_a_valid_draft(resources, drafts):
    out, files, skipped = drafts
    rows = karte_rows(resources.corpus, resources.glossary)
    assert len(rows) == 49 and len(files) == 49 and not skipped
    book = CaseBook(out, resources.corpus, resources.vocab, resources.sdg)
    assert book.problems == [] and len(book.records) == 49
    assert {r.karte_line for r in book.records} == {c.line_start for c in rows}
    assert all(r.curation.status == "draft" for r in book.records)


def test_masked_amounts_stay_unknown(resources, drafts):
    out, _, _ = drafts
    book = CaseBook(out, resources.corpus, resources.vocab, resources.sdg)
    masked = [a for r in book.records for a in r.amounts]
    assert masked and all(a.value is None and a.masked for a in masked)
    assert "value: null" in dump_record(next(r for r in book.records if r.amounts))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    d = tmp_path / "cases"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_text(text, encoding="utf-8")
    return p


def test_broken_quote_is_reported_with_file_and_line(resources, drafts, tmp_path):
    out, files, _ = drafts
    src = next(f for f in files if f.name.startswith("pe-disaster_prevention"))
    lines = src.read_text(encoding="utf-8").splitlines()
    n = next(i for i, l in enumerate(lines) if "quote:" in l and "調査研究" in l)
    lines[n] = lines[n].replace("調査研究", "火山調査")
    text = "\n".join(lines) + "\n"
    p = _write(tmp_path, "pe.yaml", text)
    book = CaseBook(p.parent, resources.corpus, resources.vocab, resources.sdg)
    assert book.records == ()
    (prob,) = [pr for pr in book.problems if "quote" in pr.message]
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "火山" in l)
    assert prob.path == str(p) and prob.line == line
    assert f"{p}:{line}:" in str(prob) and "Fix:" in str(prob)


def test_bad_codes_dates_and_duplicates_are_all_reported(resources, drafts, tmp_path):
    _, files, _ = drafts
    text = files[0].read_text(encoding="utf-8")
    bad = text.replace("sector: ", "sector: space_", 1)
    bad = bad.replace("date: ", "date: 2018年", 1).replace("id: ", "id: zz-", 1)
    _write(tmp_path, "a.yaml", bad)
    _write(tmp_path, "b.yaml", text)
    _write(tmp_path, "c.yaml", text)  # same id as b
    _write(tmp_path, "d.yaml", "id: [unclosed\n")
    book = CaseBook(tmp_path / "cases", resources.corpus, resources.vocab, resources.sdg)
    msgs = " | ".join(str(p) for p in book.problems)
    assert "unknown sector" in msgs and "does not parse" in msgs and "duplicate id" in msgs and "invalid YAML" in msgs
    assert len(book.records) == 1  # b.yaml is fine; c.yaml is the duplicate; the rest are skipped, not fatal


def test_sdg_target_and_masked_value_checks(resources, drafts, tmp_path):
    _, files, _ = drafts
    src = next(f for f in files if "value: null" in f.read_text(encoding="utf-8"))
    text = src.read_text(encoding="utf-8").replace("value: null", "value: 3", 1)
    text += 'sdg_targets:\n- {target: "99.9", rationale: "x"}\n'
    _write(tmp_path, "m.yaml", text)
    book = CaseBook(tmp_path / "cases", resources.corpus, resources.vocab, resources.sdg)
    msgs = " | ".join(p.message for p in book.problems)
    assert "masked amount" in msgs and "unknown SDG target '99.9'" in msgs


def test_dates():
    assert parse_case_date("2020") == (2020, None, False)
    for bad in ("2018年8月", "2018-13", "FY18", "2018/2019/2020"):
        with pytest.raises(ValueError):
            parse_case_date(bad)


def test_selection_partner_then_region_then_rest(resources, drafts):
    out, _, _ = drafts
    book = CaseBook(out, resources.corpus, resources.vocab, resources.sdg)
    picked = select_for_pitch(book.records, "PE", "telemedicine", resources.vocab, limit=10)
    scopes = [p.scope for p in picked]
    assert scopes[0] == "partner" and scopes == sorted(scopes, key=["partner", "region", "global"].index)
    assert {p.record.country for p in picked if p.scope == "region"} <= resources.vocab.regions["latam"].members
    assert stage_reached(next(p.record for p in picked if p.record.country == "BR")) == "order"


def test_json_sources_carry_file_lines_and_quote(resources, drafts):
    out, _, _ = drafts
    book = CaseBook(out, resources.corpus, resources.vocab, resources.sdg)
    rec = filter_records(book.records, country="VN", sector="e_government", stage="agreement")[0]
    data = record_json(rec, resources.corpus)
    src = data["stages"][0]["source"]
    assert src["source_file"] == "000_8c8e251bf5ccc63e.txt" and src["quote"] in resources.corpus.get("mic-action-plan-2020").span(src["line_start"], src["line_end"])


def test_dossier_has_an_editable_chart_and_tables(resources, drafts, tmp_path):
    import zipfile

    from docx import Document

    from pitchgen.render.karte_docx import render_dossier

    out, _, _ = drafts
    book = CaseBook(out, resources.corpus, resources.vocab, resources.sdg)
    recs = filter_records(book.records, country="VN")
    path = tmp_path / "vn.docx"
    render_dossier("VN", "vi", recs, resources.corpus, resources.phrases, resources.sdg, resources.vocab, path, "2026-11-20")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "word/charts/chart1.xml" in names and any(n.startswith("word/embeddings/") for n in names)
        assert b"<c:scatterChart>" in z.read("word/charts/chart1.xml") or b"scatterChart" in z.read("word/charts/chart1.xml")
        assert b"c:chart" in z.read("word/document.xml")
    doc = Document(str(path))
    assert "Việt Nam" in doc.paragraphs[0].text
    assert len(doc.tables) == 1 + len(recs)  # summary + one per case
    header = [c.text for c in doc.tables[1].rows[0].cells]
    assert header == ["Giai đoạn", "Thời gian", "Nội dung", "Nguồn"]
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "「" in body and "000_8c8e251bf5ccc63e.txt" in body


def test_dossier_lists_results_and_amounts_in_the_partner_language(resources, tmp_path):
    import re

    from docx import Document

    from pitchgen.render.karte_docx import render_dossier

    recs = filter_records(resources.casebook.records, country="ID")
    path = tmp_path / "id.docx"
    render_dossier("ID", "es", recs, resources.corpus, resources.phrases, resources.sdg, resources.vocab, path, "2026-11-21")
    paras = [p.text for p in Document(str(path)).paragraphs]
    i = paras.index("Resultados (productos, efectos y montos):")
    assert re.fullmatch(r"cooperación financiera no reembolsable por unos 2\.000 millones de yenes \[(\d+)\]", paras[i + 1])
    n = re.search(r"\[(\d+)\]$", paras[i + 1]).group(1)
    ref = next(p for p in paras if p.startswith(f"[{n}] "))
    assert "約20億円規模のODA（無償資金協力）" in ref and "líneas 253–253" in ref  # the source's own wording
    assert not any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", p) for p in paras[: paras.index("Referencias")] if "「" not in p)
