"""Tests for pitchgen.render.docx_render: the DOCX brief through docxtpl.

Order (house style): labels and bad values, purity / round trip of the
context, edge cases (empty parts, unknown claim, escaping, mixed scripts),
then golden renders read back with python-docx and the raw XML.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from pitchgen.errors import GenerationError, TemplateError
from pitchgen.records import Bullet, Citation, Claim, DeckPlan, LogframeRow, Slide
from pitchgen.render.docx_render import (
    REQUIRED_LABELS,
    brief_context,
    display_quote,
    estimate_pages,
    render_brief,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "docx" / "brief.docx"
BUILD_SCRIPT = ROOT / "templates" / "docx" / "build_template.py"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

LABELS_ES = {
    "summary": "Resumen",
    "logframe": "Marco lógico",
    "output": "Producto",
    "outcome": "Efecto",
    "impact": "Impacto",
    "sdg_target": "Meta ODS",
    "indicator": "Indicador",
    "evidence": "Evidencia",
    "references": "Referencias",
    "lines_label": "líneas",
    "generated_label": "Generado el",
    "scope_note": "Alcance de los casos",
}

LABELS_VI = {
    "summary": "Tóm tắt",
    "logframe": "Khung logic",
    "output": "Đầu ra",
    "outcome": "Kết quả",
    "impact": "Tác động",
    "sdg_target": "Mục tiêu SDG",
    "indicator": "Chỉ số",
    "evidence": "Bằng chứng",
    "references": "Tài liệu tham khảo",
    "lines_label": "dòng",
    "generated_label": "Ngày tạo",
    "scope_note": "Phạm vi các trường hợp",
}

QUOTE_1 = "緊急警報放送により住民へ迅速に情報を伝達する"
QUOTE_2A = "ラジオ放送網の整備を支援した"
QUOTE_2B = "防災情報の多言語配信を実施"
QUOTE_3 = "光ファイバ網の敷設により\n通信の冗長性を確保した"


def _citation(doc_id: str, source_file: str, start: int, end: int, quote: str) -> Citation:
    return Citation(doc_id=doc_id, source_file=source_file, line_start=start, line_end=end, quote=quote)


def _claims(lang: str, texts: list[str]) -> tuple[Claim, ...]:
    return (
        Claim(
            claim_id="c01",
            text=texts[0],
            lang=lang,
            slide=2,
            kind="challenge",
            marker=1,
            citations=(_citation("mic-action-plan-2020", "000_8c8e251bf5ccc63e.txt", 12, 14, QUOTE_1),),
        ),
        Claim(
            claim_id="c02",
            text=texts[1],
            lang=lang,
            slide=3,
            kind="output",
            marker=2,
            citations=(
                _citation("jica-karte-2019", "001_aa11bb22cc33dd44.txt", 40, 40, QUOTE_2A),
                _citation("jica-karte-2019", "001_aa11bb22cc33dd44.txt", 88, 90, QUOTE_2B),
            ),
        ),
        Claim(
            claim_id="c03",
            text=texts[2],
            lang=lang,
            slide=4,
            kind="case_event",
            marker=3,
            citations=(_citation("untitled-doc", "002_ffee.txt", 5, 6, QUOTE_3),),
            case_country="PE",
            scope="region",
        ),
    )


def make_plan_es(**overrides) -> DeckPlan:
    """A small Spanish plan: title slide + 3 content slides, 3 claims, 2 logframe rows."""
    texts = [
        "Sistema de alerta temprana por radiodifusión para comunidades costeras",
        "Red de radio comunitaria con difusión multilingüe de información de desastres",
        "Perú reforzó la redundancia de su red troncal de fibra óptica",
    ]
    fields = dict(
        country="PE",
        country_name="Perú",
        sector="disaster-ict",
        sector_name="TIC para la gestión del riesgo de desastres",
        lang="es",
        slides=(
            Slide(
                role="title",
                layout="Title Slide",
                title="Sistema de alerta temprana por radiodifusión",
                subtitle="Propuesta de cooperación Japón–Perú",
            ),
            Slide(
                role="challenge",
                layout="Title and Content",
                title="El desafío",
                bullets=(Bullet(text=texts[0], claim_id="c01"), Bullet(text="Contexto sin cita")),
            ),
            Slide(
                role="solution",
                layout="Title and Content",
                title="La solución",
                bullets=(Bullet(text=texts[1], claim_id="c02"),),
            ),
            Slide(
                role="cases",
                layout="Title and Content",
                title="Casos de referencia",
                bullets=(Bullet(text=texts[2], claim_id="c03"),),
            ),
            Slide(role="chain", layout="Table", title="Cadena de resultados", table=(("a", "b"),)),
        ),
        claims=_claims("es", texts),
        logframe=(
            LogframeRow(
                output="Red de radio instalada",
                outcome="Alertas llegan en menos de 10 minutos",
                impact="Menos víctimas",
                sdg_target="11.5",
                indicator="Población cubierta (%)",
                evidence="[1][2]",
            ),
            LogframeRow(
                output="Operadores capacitados",
                outcome="Difusión multilingüe",
                impact="Inclusión",
                sdg_target="9.c",
                indicator="Número de operadores",
                evidence="[3]",
            ),
        ),
        summary="Perú puede reducir el tiempo de aviso con radiodifusión de emergencia.",
        case_scope_note="Casos de la región (América Latina); no hay casos del país socio.",
        generated_on="2025-03-14",
        doc_titles={
            "mic-action-plan-2020": "Plan de acción del MIC 2020",
            "jica-karte-2019": "Karte de cooperación JICA 2019",
        },
    )
    fields.update(overrides)
    return DeckPlan(**fields)


def make_plan_vi() -> DeckPlan:
    """The same plan shape in Vietnamese (stacked diacritics)."""
    texts = [
        "Hệ thống cảnh báo sớm qua phát thanh cho cộng đồng ven biển",
        "Mạng phát thanh cộng đồng phát thông tin thiên tai đa ngôn ngữ",
        "Peru đã tăng cường dự phòng mạng cáp quang trục",
    ]
    base = make_plan_es()
    slides = (
        Slide(role="title", layout="Title Slide", title="Hệ thống cảnh báo sớm", subtitle="Đề xuất hợp tác"),
        Slide(
            role="challenge",
            layout="Title and Content",
            title="Thách thức",
            bullets=(Bullet(text=texts[0], claim_id="c01"),),
        ),
        Slide(
            role="solution",
            layout="Title and Content",
            title="Giải pháp",
            bullets=(Bullet(text=texts[1], claim_id="c02"), Bullet(text=texts[2], claim_id="c03")),
        ),
    )
    return base.model_copy(
        update={
            "lang": "vi",
            "country": "VN",
            "country_name": "Việt Nam",
            "slides": slides,
            "claims": _claims("vi", texts),
            "summary": "Việt Nam có thể rút ngắn thời gian cảnh báo.",
            "case_scope_note": "",
        }
    )


def _render(plan: DeckPlan, tmp_path: Path, labels=LABELS_ES, name="brief.docx") -> Path:
    out = tmp_path / name
    render_brief(plan, TEMPLATE, out, labels)
    return out


def _document_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode("utf-8")


def _styles_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/styles.xml").decode("utf-8")


# --- labels and bad values ----------------------------------------------------


def test_required_labels_are_the_documented_keys():
    assert set(REQUIRED_LABELS) == set(LABELS_ES) == set(LABELS_VI)


@pytest.mark.parametrize("key", ["references", "lines_label"])
def test_missing_label_raises_template_error_naming_the_key(key):
    labels = {k: v for k, v in LABELS_ES.items() if k != key}
    with pytest.raises(TemplateError, match=key) as info:
        brief_context(make_plan_es(), labels)
    assert "summary" not in info.value.message  # only the missing keys are listed


def test_missing_labels_are_all_listed(tmp_path):
    labels = {k: v for k, v in LABELS_ES.items() if k not in ("impact", "scope_note")}
    with pytest.raises(TemplateError) as info:
        render_brief(make_plan_es(), TEMPLATE, tmp_path / "x.docx", labels)
    assert "impact" in str(info.value) and "scope_note" in str(info.value)
    assert not (tmp_path / "x.docx").exists()


def test_missing_template_raises(tmp_path):
    with pytest.raises(TemplateError, match="not found") as info:
        render_brief(make_plan_es(), tmp_path / "nope.docx", tmp_path / "x.docx", LABELS_ES)
    assert info.value.path == str(tmp_path / "nope.docx")


def test_non_docx_template_raises(tmp_path):
    bogus = tmp_path / "brief.docx"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(TemplateError, match="not a .docx"):
        render_brief(make_plan_es(), bogus, tmp_path / "x.docx", LABELS_ES)
    other_zip = tmp_path / "deck.docx"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("ppt/presentation.xml", "<p/>")
    with pytest.raises(TemplateError, match="no word/document.xml"):
        render_brief(make_plan_es(), other_zip, tmp_path / "x.docx", LABELS_ES)


def test_docx_without_brief_tags_raises_naming_tags(tmp_path):
    plain = tmp_path / "plain.docx"
    d = docx.Document()
    d.add_paragraph("{{ title }}")
    d.save(str(plain))
    with pytest.raises(TemplateError, match="logframe, references, sections"):
        render_brief(make_plan_es(), plain, tmp_path / "x.docx", LABELS_ES)


def test_unknown_claim_in_bullet_raises_generation_error():
    plan = make_plan_es()
    slides = list(plan.slides)
    slides[1] = slides[1].model_copy(update={"bullets": (Bullet(text="x", claim_id="c99"),)})
    with pytest.raises(GenerationError, match="c99"):
        brief_context(plan.model_copy(update={"slides": tuple(slides)}), LABELS_ES)


def test_plan_without_slides_raises():
    with pytest.raises(GenerationError, match="no slides"):
        brief_context(make_plan_es(slides=()), LABELS_ES)


# --- context: purity and shape -----------------------------------------------


def test_brief_context_is_pure_and_json_serialisable():
    plan = make_plan_es()
    labels = dict(LABELS_ES)
    before_plan, before_labels = plan.model_dump(), dict(labels)
    first = brief_context(plan, labels)
    second = brief_context(plan, labels)
    assert first == second
    assert first is not second and first["sections"] is not second["sections"]
    assert plan.model_dump() == before_plan and labels == before_labels
    assert json.loads(json.dumps(first, ensure_ascii=False)) == second
    first["labels"]["summary"] = "changed"  # the context does not alias the inputs
    first["sections"][0]["items"].clear()
    assert labels["summary"] == "Resumen"
    assert brief_context(plan, labels) == second


def test_context_title_sections_and_markers():
    ctx = brief_context(make_plan_es(), LABELS_ES)
    assert ctx["title"] == "Sistema de alerta temprana por radiodifusión"
    assert ctx["subtitle"] == "Propuesta de cooperación Japón–Perú"
    assert ctx["generated_label"] == "Generado el" and ctx["generated_on"] == "2025-03-14"
    # title slide skipped; the bullet-less "chain" table slide is skipped too
    assert [s["heading"] for s in ctx["sections"]] == ["El desafío", "La solución", "Casos de referencia"]
    assert ctx["sections"][0]["items"] == [
        {"text": "Sistema de alerta temprana por radiodifusión para comunidades costeras", "markers": "[1]"},
        {"text": "Contexto sin cita", "markers": ""},
    ]
    assert ctx["sections"][2]["items"][0]["markers"] == "[3]"
    assert [row["evidence"] for row in ctx["logframe"]] == ["[1][2]", "[3]"]
    assert list(ctx["logframe"][0]) == ["output", "outcome", "impact", "sdg_target", "indicator", "evidence"]


def test_context_references_numbering_and_titles():
    refs = brief_context(make_plan_es(), LABELS_ES)["references"]
    assert [r["number"] for r in refs] == ["1", "2a", "2b", "3"]
    assert [r["marker"] for r in refs] == [1, 2, 2, 3]
    assert refs[0]["title"] == "Plan de acción del MIC 2020"
    assert refs[3]["title"] == "untitled-doc"  # falls back to doc_id
    assert (refs[1]["line_start"], refs[1]["line_end"]) == (40, 40)
    assert refs[2]["quote"] == QUOTE_2B and refs[0]["lines_label"] == "líneas"
    assert refs[3]["quote"] == "光ファイバ網の敷設により通信の冗長性を確保した"  # Japanese lines joined


def test_duplicate_citations_under_one_marker_listed_once():
    plan = make_plan_es()
    c1 = plan.claims[0]
    twin = c1.model_copy(update={"claim_id": "c01b", "slide": 3})
    claims = (c1, twin, *plan.claims[1:])
    refs = brief_context(plan.model_copy(update={"claims": claims}), LABELS_ES)["references"]
    assert [r["number"] for r in refs] == ["1", "2a", "2b", "3"]


def test_display_quote_mixed_scripts():
    assert display_quote("ICT 整備\n計画 phase\n2") == "ICT 整備計画 phase 2"
    assert display_quote("\n  \nsolo\n") == "solo"


# --- page estimate --------------------------------------------------------------


def test_estimate_pages_grows_with_content_and_counts_cjk_double():
    ctx = brief_context(make_plan_es(), LABELS_ES)
    base = estimate_pages(ctx)
    assert 0.5 < base < 2  # a 3-section brief is short
    longer = dict(ctx, sections=ctx["sections"] * 10)
    assert estimate_pages(longer) > base + 1
    latin = estimate_pages({"summary": "a" * 900})
    cjk = estimate_pages({"summary": "あ" * 900})
    assert cjk > latin
    assert estimate_pages({}) == pytest.approx(1 / 45)  # only the generated-on line


# --- golden renders -----------------------------------------------------------------


def test_render_spanish_reads_back(tmp_path):
    out = _render(make_plan_es(), tmp_path)
    d = docx.Document(str(out))
    paragraphs = [(p.style.name, p.text) for p in d.paragraphs]
    texts = [t for _, t in paragraphs]

    assert paragraphs[0] == ("Title", "Sistema de alerta temprana por radiodifusión")
    assert ("Subtitle", "Propuesta de cooperación Japón–Perú") in paragraphs
    assert "Generado el: 2025-03-14" in texts
    headings = [t for s, t in paragraphs if s == "Heading 1"]
    assert headings == [
        "Resumen",
        "El desafío",
        "La solución",
        "Casos de referencia",
        "Marco lógico",
        "Referencias",
    ]
    bullets = [t for s, t in paragraphs if s == "List Bullet"]
    assert bullets == [
        "Sistema de alerta temprana por radiodifusión para comunidades costeras[1]",
        "Contexto sin cita",
        "Red de radio comunitaria con difusión multilingüe de información de desastres[2]",
        "Perú reforzó la redundancia de su red troncal de fibra óptica[3]",
    ]
    # the marker is its own superscript run
    first_bullet = next(p for p in d.paragraphs if p.style.name == "List Bullet")
    text_runs = [r for r in first_bullet.runs if r.text]
    assert [r.text for r in text_runs] == [
        "Sistema de alerta temprana por radiodifusión para comunidades costeras",
        "[1]",
    ]
    assert text_runs[1].font.superscript is True and text_runs[0].font.superscript is None
    assert str(text_runs[1].font.color.rgb) == "1F4E79"
    assert "Alcance de los casos: Casos de la región (América Latina); no hay casos del país socio." in texts


def test_render_logframe_table(tmp_path):
    out = _render(make_plan_es(), tmp_path)
    d = docx.Document(str(out))
    assert len(d.tables) == 1
    table = d.tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["Producto", "Efecto", "Impacto", "Meta ODS", "Indicador", "Evidencia"],
        [
            "Red de radio instalada",
            "Alertas llegan en menos de 10 minutos",
            "Menos víctimas",
            "11.5",
            "Población cubierta (%)",
            "[1][2]",
        ],
        ["Operadores capacitados", "Difusión multilingüe", "Inclusión", "9.c", "Número de operadores", "[3]"],
    ]
    assert table.style.name == "Table Grid"


def test_render_references_list(tmp_path):
    out = _render(make_plan_es(), tmp_path)
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    refs = [t for t in texts if re.match(r"\[\d+[a-z]?\] ", t)]
    assert refs == [
        f"[1] Plan de acción del MIC 2020 — 000_8c8e251bf5ccc63e.txt, líneas 12–14: 「{QUOTE_1}」",
        f"[2a] Karte de cooperación JICA 2019 — 001_aa11bb22cc33dd44.txt, líneas 40–40: 「{QUOTE_2A}」",
        f"[2b] Karte de cooperación JICA 2019 — 001_aa11bb22cc33dd44.txt, líneas 88–90: 「{QUOTE_2B}」",
        "[3] untitled-doc — 002_ffee.txt, líneas 5–6: 「光ファイバ網の敷設により通信の冗長性を確保した」",
    ]
    # references come after the table heading, at the end of the document
    assert texts.index("Referencias") < texts.index(refs[0])


def test_render_xml_has_no_leftover_tags_and_east_asia_font(tmp_path):
    out = _render(make_plan_es(), tmp_path)
    xml = _document_xml(out)
    assert "{{" not in xml and "{%" not in xml and "%}" not in xml and "}}" not in xml
    styles = _styles_xml(out)
    normal = re.search(r'<w:style [^>]*w:styleId="Normal".*?</w:style>', styles, re.S).group(0)
    assert 'w:eastAsia="Noto Sans CJK JP"' in normal
    assert 'w:ascii="Noto Sans"' in normal and 'w:hAnsi="Noto Sans"' in normal
    assert '<w:sz w:val="21"/>' in normal  # 10.5 pt in half-points
    assert "eastAsiaTheme" not in styles  # no theme font overrides the explicit fonts
    d = docx.Document(str(out))
    section = d.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert all(
        round(getattr(section, m).cm, 2) == 2.0
        for m in ("left_margin", "right_margin", "top_margin", "bottom_margin")
    )


def test_render_escapes_xml_special_characters(tmp_path):
    plan = make_plan_es(summary='I+D & TIC <piloto> "5G"')
    out = _render(plan, tmp_path)
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert 'I+D & TIC <piloto> "5G"' in texts


def test_render_vietnamese_variant(tmp_path):
    out = _render(make_plan_vi(), tmp_path, labels=LABELS_VI)
    d = docx.Document(str(out))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "Hệ thống cảnh báo sớm"
    assert "Ngày tạo: 2025-03-14" in texts
    assert "Mạng phát thanh cộng đồng phát thông tin thiên tai đa ngôn ngữ[2]" in texts
    assert any(t.startswith("[1] Plan de acción del MIC 2020 — ") and "dòng 12–14" in t for t in texts)
    assert [c.text for c in d.tables[0].rows[0].cells][:3] == ["Đầu ra", "Kết quả", "Tác động"]
    assert not any(t.startswith("Phạm vi các trường hợp") for t in texts)  # empty scope note dropped


def test_render_drops_empty_optional_parts(tmp_path):
    plan = make_plan_es(summary="", case_scope_note="", logframe=())
    slides = list(plan.slides)
    slides[0] = slides[0].model_copy(update={"subtitle": ""})
    out = _render(plan.model_copy(update={"slides": tuple(slides)}), tmp_path)
    d = docx.Document(str(out))
    styles_texts = [(p.style.name, p.text) for p in d.paragraphs]
    assert not d.tables
    assert all(s != "Subtitle" for s, _ in styles_texts)
    assert all(t not in ("Resumen", "Marco lógico") for _, t in styles_texts)
    assert all(t.strip() for _, t in styles_texts)  # no empty leftover paragraphs
    assert "{{" not in _document_xml(out)


def test_render_is_atomic_and_replaces(tmp_path):
    out = tmp_path / "sub" / "brief.docx"
    render_brief(make_plan_es(), TEMPLATE, out, LABELS_ES)
    render_brief(make_plan_vi(), TEMPLATE, out, LABELS_VI)
    assert docx.Document(str(out)).paragraphs[0].text == "Hệ thống cảnh báo sớm"
    assert sorted(p.name for p in out.parent.iterdir()) == ["brief.docx"]  # no temp file left
    before = out.read_bytes()
    with pytest.raises(TemplateError):
        render_brief(make_plan_es(), tmp_path / "missing.docx", out, LABELS_ES)
    assert out.read_bytes() == before  # a failed render leaves the old file


def test_committed_template_matches_build_script(tmp_path):
    spec = importlib.util.spec_from_file_location("build_template", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.build(tmp_path / "brief.docx")
    for part in ("word/document.xml", "word/styles.xml"):
        with zipfile.ZipFile(rebuilt) as a, zipfile.ZipFile(TEMPLATE) as b:
            assert a.read(part) == b.read(part), f"{part} differs: rerun templates/docx/build_template.py"


def _long_plan() -> DeckPlan:
    """A realistic full brief: 6 content slides x 4 bullets, 24 claims, 5 logframe rows."""
    base = make_plan_es()
    roles = ["challenge", "solution", "chain", "cases", "pathway", "next_steps"]
    slides = [base.slides[0]]
    claims = []
    n = 0
    for role in roles:
        bullets = []
        for _ in range(4):
            n += 1
            cid = f"c{n:02d}"
            text = (
                f"Afirmación {n}: el sistema de alerta temprana por radiodifusión reduce el tiempo "
                "de aviso a las comunidades costeras y mejora la coordinación con los municipios."
            )
            bullets.append(Bullet(text=text, claim_id=cid))
            claims.append(
                Claim(
                    claim_id=cid,
                    text=text,
                    lang="es",
                    slide=len(slides) + 1,
                    kind="context",
                    marker=n,
                    citations=(
                        _citation("mic-action-plan-2020", "000_8c8e251bf5ccc63e.txt", 10 * n, 10 * n + 2, QUOTE_1),
                    ),
                )
            )
        slides.append(Slide(role=role, layout="Title and Content", title=f"Sección {role}", bullets=tuple(bullets)))
    row = base.logframe[0]
    return base.model_copy(
        update={"slides": tuple(slides), "claims": tuple(claims), "logframe": (row,) * 5, "summary": base.summary * 4}
    )


def test_realistic_brief_estimated_within_page_budget():
    pages = estimate_pages(brief_context(_long_plan(), LABELS_ES))
    assert 2 <= pages <= 4


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_realistic_brief_lays_out_within_page_budget(tmp_path):
    """Oracle for estimate_pages: LibreOffice's own layout of the rendered brief."""
    plan = _long_plan()
    out = _render(plan, tmp_path)
    proc = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "brief.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr.decode(errors="replace")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 2 <= pages <= 4
    estimate = estimate_pages(brief_context(plan, LABELS_ES))
    assert abs(estimate - pages) <= 1.0
