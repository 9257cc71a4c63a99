"""Tests for pitchgen.render.pptx_render and the 16:9 template it renders into.

Order: pure helpers (defaults, bad values, edge cases, Japanese), the
template, then an integration run that reads the written deck back.
"""

from __future__ import annotations

import doctest
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn

from pitchgen.errors import GenerationError, TemplateError
from pitchgen.records import LANGS, Bullet, Citation, Claim, DeckPlan, Slide
from pitchgen.render import pptx_render
from pitchgen.render.pptx_render import (
    FONT_RANGES,
    column_widths_emu,
    fit_font_size,
    has_cjk,
    note_lines,
    render_deck,
    required_height_emu,
    split_two_content,
    wrapped_line_count,
)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "pptx" / "pitch_16x9.pptx"
BUILD_SCRIPT = ROOT / "templates" / "pptx" / "build_template.py"
SLIDE_W, SLIDE_H = 12192000, 6858000
JA_NAME = "「地上デジタル放送日本方式」"
DOC_TITLE = "MIC ICT Overseas Deployment Action Plan 2020"
RPR_ORDER = [
    "ln", "noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill", "effectLst",
    "effectDag", "highlight", "uLnTx", "uLn", "uFillTx", "uFill", "latin", "ea", "cs", "sym",
    "hlinkClick", "hlinkMouseOver", "rtl", "extLst",
]  # fmt: skip


# ------------------------------------------------------------------ fixtures


def _cit(start: int, quote: str) -> Citation:
    return Citation(
        doc_id="mic-action-plan-2020",
        source_file="000_8c8e251bf5ccc63e.txt",
        line_start=start,
        line_end=start + 2,
        quote=quote,
    )


def _claim(n: int, slide: int, text: str, quote: str) -> Claim:
    return Claim(
        claim_id=f"c{n:02d}",
        text=text,
        lang="vi",
        slide=slide,
        kind="context",
        marker=n,
        citations=(_cit(10 * n, quote),),
    )


def make_plan(extra_slides: tuple[Slide, ...] = ()) -> DeckPlan:
    claims = (
        _claim(1, 2, "Chính phủ điện tử còn phân tán", "電子政府の推進"),
        _claim(2, 2, "Thiếu hạ tầng dữ liệu", "データ連携基盤の整備"),
        _claim(3, 3, "ISDB-T đã được áp dụng", "地上デジタル放送日本方式の海外展開"),
        _claim(4, 3, "Sistema de alerta temprana", "防災ICTシステムの展開"),
        _claim(5, 4, "Chuỗi giá trị", "案件形成から運用まで一貫した支援"),
        _claim(6, 5, "Ví dụ Peru", "ペルーにおける導入実績"),
    )
    slides = (
        Slide(
            role="title",
            layout="pitch-title",
            title="Chính phủ điện tử cho Việt Nam",
            subtitle="Hợp tác ICT Nhật Bản – Việt Nam",
        ),
        Slide(
            role="challenge",
            layout="pitch-content",
            title="Thách thức",
            bullets=(
                Bullet(text="Chính phủ điện tử còn phân tán", claim_id="c01"),
                Bullet(text="Thiếu hạ tầng dữ liệu dùng chung", claim_id="c02", level=1),
            ),
        ),
        Slide(
            role="solution",
            layout="pitch-content",
            title="Giải pháp",
            bullets=(
                Bullet(text=f"Hệ thống {JA_NAME} (ISDB-T)", claim_id="c03"),
                Bullet(text="Sistema de alerta temprana", claim_id="c04"),
            ),
        ),
        Slide(
            role="chain",
            layout="pitch-table",
            title="Chuỗi kết quả",
            table=(
                ("Đầu ra", "Kết quả", "Tác động", "SDG"),
                ("Trung tâm dữ liệu", "Dịch vụ công trực tuyến [5]", "Minh bạch", "16.6"),
                ("Đào tạo cán bộ", "Năng lực vận hành", "Bền vững", "9.c"),
            ),
            bullets=(Bullet(text="Hỗ trợ từ thiết kế đến vận hành", claim_id="c05"),),
        ),
        Slide(
            role="cases",
            layout="pitch-table",
            title="Ví dụ triển khai",
            table=(
                ("Quốc gia", "Năm", "Sự kiện"),
                ("Peru", "2009", "Áp dụng ISDB-T [6]"),
                ("Philippines", "2013", "Áp dụng ISDB-T"),
            ),
        ),
        Slide(
            role="pathway",
            layout="pitch-two-content",
            title="Lộ trình hợp tác",
            bullets=(
                Bullet(text="Khảo sát nhu cầu"),
                Bullet(text="Thí điểm tại Hà Nội"),
                Bullet(text="Mở rộng toàn quốc"),
                Bullet(text="Đánh giá tác động"),
            ),
        ),
        Slide(
            role="next_steps",
            layout="pitch-content",
            title="Bước tiếp theo",
            bullets=(Bullet(text="Họp kỹ thuật với Bộ Thông tin và Truyền thông"),),
            notes=("Hỏi về ngân sách năm 2025",),
        ),
    ) + extra_slides
    return DeckPlan(
        country="VN",
        country_name="Việt Nam",
        sector="egov",
        sector_name="Chính phủ điện tử",
        lang="vi",
        slides=slides,
        claims=claims,
        generated_on="2025-01-01",
        doc_titles={"mic-action-plan-2020": DOC_TITLE},
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("deck") / "deck.pptx"
    warnings = render_deck(make_plan(), TEMPLATE, out)
    return out, warnings


@pytest.fixture(scope="module")
def deck(rendered: tuple[Path, list[str]]):
    return Presentation(str(rendered[0]))


def _runs(text_frame):
    return [r for p in text_frame.paragraphs for r in p.runs]


def _all_frames(prs):
    """Every text frame of every slide: shapes, table cells and notes."""
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                yield shape.text_frame
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        yield cell.text_frame
        yield slide.notes_slide.notes_text_frame


# -------------------------------------------------------------- pure helpers


def test_doctests_pass() -> None:
    from pitchgen.render import textfit

    results = [doctest.testmod(pptx_render), doctest.testmod(textfit)]
    assert sum(r.attempted for r in results) >= 6
    assert all(r.failed == 0 for r in results)


def test_has_cjk_scripts() -> None:
    assert has_cjk("ひらがな") and has_cjk("カタカナ") and has_cjk("日本")
    assert has_cjk("「」")
    assert not has_cjk("Sistema de alerta temprana")
    assert not has_cjk("Chính phủ điện tử")
    assert not has_cjk("")


def test_wrap_breaks_latin_at_spaces_and_cjk_anywhere() -> None:
    assert wrapped_line_count("aaaa bbbb", 3.0) == 2  # words 2.2 em each, never split
    assert wrapped_line_count("日本語日本語", 3.0) == 2
    assert wrapped_line_count("x" * 20, 5.5) == 2  # an over-long word is cut
    assert wrapped_line_count("", 5.0) == 1
    assert wrapped_line_count("a\nb", 5.0) == 2


def test_wrap_counts_combining_marks_as_zero_width() -> None:
    # 5 base letters = 2.75 em; counting the accent would cut the word
    assert wrapped_line_count("Chi\u0301nh", 2.75) == 1
    nfd, nfc = "Chi\u0301nh phu\u0309 đie\u0323\u0302n tu\u031b\u0309", "Chính phủ điện tử"
    assert wrapped_line_count(nfd, 4.0) == wrapped_line_count(nfc, 4.0) == 3


def test_wrap_rejects_non_positive_width() -> None:
    with pytest.raises(ValueError, match="width_em"):
        wrapped_line_count("abc", 0)


def test_fit_short_text_gets_max_size() -> None:
    assert fit_font_size(["Chính phủ điện tử"], 9144000, 4572000, 18, 12) == 18


def test_fit_long_text_gets_smaller_size() -> None:
    long = ["Sistema de alerta temprana para desastres naturales " * 6] * 8
    pt = fit_font_size(long, 9144000, 4572000, 18, 8)
    assert 8 <= pt < 18
    assert pt * 2 == int(pt * 2)  # 0.5 pt steps
    assert required_height_emu(long, 9144000, pt) <= 4572000
    assert required_height_emu(long, 9144000, pt + 0.5) > 4572000


def test_fit_japanese_wraps_per_character() -> None:
    # 12 full-width chars in 1 in x 0.5 in: 6 per line at 12 pt -> 2 lines = 28.8 pt <= 36 pt
    assert fit_font_size(["地上デジタル放送日本方式"], 914400, 457200, 18, 8) == 12.0
    # the Latin model would give the same text far more room per line
    assert fit_font_size(["abcdefghijkl"], 914400, 457200, 18, 8) > 12.0


def test_fit_returns_min_when_nothing_fits() -> None:
    pt = fit_font_size(["日本" * 500], 914400, 457200, 18, 10)
    assert pt == 10
    assert required_height_emu(["日本" * 500], 914400, pt) > 457200


def test_fit_empty_and_bad_range() -> None:
    assert fit_font_size([], 914400, 457200, 18, 10) == 18
    with pytest.raises(ValueError, match="min_pt"):
        fit_font_size(["a"], 914400, 457200, 10, 18)
    with pytest.raises(ValueError, match="min_pt"):
        fit_font_size(["a"], 914400, 457200, 10, 0)


def test_indent_and_paragraph_space_need_more_height() -> None:
    texts = ["Thiếu hạ tầng dữ liệu dùng chung " * 3]
    flat = required_height_emu(texts, 3000000, 18)
    assert required_height_emu(texts, 3000000, 18, indents_emu=[1500000]) > flat
    assert required_height_emu(texts, 3000000, 18, para_space_em=0.3) == flat + round(0.3 * 18 * 12700)


def test_column_widths_sum_and_favour_long_columns() -> None:
    widths = column_widths_emu([("SDG", "Dịch vụ công trực tuyến cho người dân")], 11277600)
    assert sum(widths) == 11277600
    assert widths[1] > widths[0]


def test_note_lines_format() -> None:
    plan = make_plan()
    lines = note_lines(plan, plan.slides[2])
    assert lines == [
        f"[3] {DOC_TITLE} (000_8c8e251bf5ccc63e.txt, lines 30–32): 「地上デジタル放送日本方式の海外展開」",
        f"[4] {DOC_TITLE} (000_8c8e251bf5ccc63e.txt, lines 40–42): 「防災ICTシステムの展開」",
    ]


def test_note_lines_notes_first_and_table_markers() -> None:
    plan = make_plan()
    assert note_lines(plan, plan.slides[6]) == ["Hỏi về ngân sách năm 2025"]
    cases = note_lines(plan, plan.slides[4])  # marker only inside a table cell
    assert len(cases) == 1 and cases[0].startswith("[6] ") and "ペルーにおける導入実績" in cases[0]


def test_note_lines_fall_back_to_doc_id() -> None:
    plan = make_plan().model_copy(update={"doc_titles": {}})
    assert note_lines(plan, plan.slides[1])[0].startswith("[1] mic-action-plan-2020 (")


def test_split_two_content_without_table_splits_groups() -> None:
    slide = Slide(
        role="pathway",
        layout="pitch-two-content",
        title="t",
        bullets=(
            Bullet(text="a"),
            Bullet(text="a1", level=1),
            Bullet(text="b"),
            Bullet(text="c"),
        ),
    )
    left, right = split_two_content(slide)
    assert [b.text for b in left] == ["a", "a1", "b"]
    assert [b.text for b in right] == ["c"]


def test_split_two_content_with_table_puts_rows_right() -> None:
    slide = Slide(
        role="pathway",
        layout="pitch-two-content",
        title="t",
        bullets=(Bullet(text="x"),),
        table=(("Bước", "Thời gian"), ("Thí điểm", "2026")),
    )
    left, right = split_two_content(slide)
    assert [b.text for b in left] == ["x"]
    assert [(b.text, b.level) for b in right] == [("Thí điểm", 0), ("Thời gian: 2026", 1)]


# ------------------------------------------------------------------ template


def _layout_signature(path: Path) -> list[tuple[str, list[tuple[int, str]]]]:
    prs = Presentation(str(path))
    return [
        (lay.name, [(ph.placeholder_format.idx, ph.placeholder_format.type.name) for ph in lay.placeholders])
        for lay in prs.slide_layouts
    ]


def test_template_has_the_four_layouts_and_no_slides() -> None:
    prs = Presentation(str(TEMPLATE))
    assert (prs.slide_width, prs.slide_height) == (SLIDE_W, SLIDE_H)
    assert len(prs.slides) == 0
    sig = dict(_layout_signature(TEMPLATE))
    assert list(sig) == ["pitch-title", "pitch-content", "pitch-table", "pitch-two-content"]
    assert sig["pitch-table"][:3] == [(0, "TITLE"), (1, "TABLE"), (2, "BODY")]
    assert sig["pitch-two-content"][:3] == [(0, "TITLE"), (1, "BODY"), (2, "BODY")]
    assert sig["pitch-title"][:2] == [(0, "CENTER_TITLE"), (1, "SUBTITLE")]


def test_template_shapes_stay_on_the_slide() -> None:
    prs = Presentation(str(TEMPLATE))
    for owner in [prs.slide_master, *prs.slide_layouts]:
        for shape in owner.shapes:
            assert shape.left >= 0 and shape.top >= 0, shape.name
            assert shape.left + shape.width <= SLIDE_W, (owner.name, shape.name)
            assert shape.top + shape.height <= SLIDE_H, (owner.name, shape.name)


def test_template_fonts_in_theme_and_master() -> None:
    with zipfile.ZipFile(TEMPLATE) as z:
        theme = etree.fromstring(z.read("ppt/theme/theme1.xml"))
        master = etree.fromstring(z.read("ppt/slideMasters/slideMaster1.xml"))
    for which in ("a:majorFont", "a:minorFont"):
        font = theme.find(f".//{qn(which)}")
        assert font.find(qn("a:latin")).get("typeface") == "Noto Sans"
        assert font.find(qn("a:ea")).get("typeface") == "Noto Sans CJK JP"
    eas = {e.get("typeface") for e in master.iter(qn("a:ea"))}
    assert eas == {"Noto Sans CJK JP"}
    title_rpr = master.find(f".//{qn('p:titleStyle')}/{qn('a:lvl1pPr')}/{qn('a:defRPr')}")
    assert title_rpr.get("sz") == "2800"


def test_template_table_placeholder_accepts_a_table(tmp_path: Path) -> None:
    prs = Presentation(str(TEMPLATE))
    slide = prs.slides.add_slide(prs.slide_layouts.get_by_name("pitch-table"))
    ph = next(p for p in slide.placeholders if p.placeholder_format.type == PP_PLACEHOLDER.TABLE)
    frame = ph.insert_table(3, 2)
    assert len(frame.table.rows) == 3 and len(frame.table.columns) == 2


def test_build_script_reproduces_the_committed_template(tmp_path: Path) -> None:
    out = tmp_path / "rebuilt.pptx"
    subprocess.run([sys.executable, str(BUILD_SCRIPT), str(out)], check=True, capture_output=True)
    assert _layout_signature(out) == _layout_signature(TEMPLATE)


# ---------------------------------------------------------------- render run


def test_render_returns_no_warnings_and_leaves_no_temp_files(rendered) -> None:
    out, warnings = rendered
    assert warnings == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["deck.pptx"]


def test_deck_slides_layouts_and_titles(deck) -> None:
    plan = make_plan()
    assert (deck.slide_width, deck.slide_height) == (SLIDE_W, SLIDE_H)
    assert len(deck.slides) == 7
    assert [s.slide_layout.name for s in deck.slides] == [s.layout for s in plan.slides]
    assert [s.shapes.title.text_frame.text for s in deck.slides] == [s.title for s in plan.slides]
    subtitle = next(p for p in deck.slides[0].placeholders if p.placeholder_format.idx == 1)
    assert subtitle.text_frame.text == "Hợp tác ICT Nhật Bản – Việt Nam"


def test_body_text_carries_markers_as_coloured_runs(deck) -> None:
    body = next(p for p in deck.slides[1].placeholders if p.placeholder_format.idx == 1)
    paras = body.text_frame.paragraphs
    assert [p.text for p in paras] == [
        "Chính phủ điện tử còn phân tán [1]",
        "Thiếu hạ tầng dữ liệu dùng chung [2]",
    ]
    assert [p.level for p in paras] == [0, 1]
    marker = paras[0].runs[-1]
    assert marker.text == " [1]"
    assert str(marker.font.color.rgb) == "2E75B6"
    assert marker.font.size < paras[0].runs[0].font.size
    solution = next(p for p in deck.slides[2].placeholders if p.placeholder_format.idx == 1)
    text = solution.text_frame.text
    assert f"Hệ thống {JA_NAME} (ISDB-T) [3]" in text
    assert "Sistema de alerta temprana [4]" in text


def test_notes_hold_citations_with_japanese_quotes(deck) -> None:
    notes = deck.slides[2].notes_slide.notes_text_frame.text
    assert DOC_TITLE in notes
    assert "000_8c8e251bf5ccc63e.txt, lines 30–32" in notes
    assert "「地上デジタル放送日本方式の海外展開」" in notes
    last = deck.slides[6].notes_slide.notes_text_frame.text
    assert last.splitlines()[0] == "Hỏi về ngân sách năm 2025"


def test_chain_table_rows_cols_header_and_caption(deck) -> None:
    slide = deck.slides[3]
    frames = [s for s in slide.shapes if s.has_table]
    assert len(frames) == 1
    table = frames[0].table
    assert (len(table.rows), len(table.columns)) == (3, 4)
    assert [c.text for c in table.rows[0].cells] == ["Đầu ra", "Kết quả", "Tác động", "SDG"]
    assert table.cell(1, 1).text == "Dịch vụ công trực tuyến [5]"
    assert table.cell(0, 0).text_frame.paragraphs[0].runs[0].font.bold is True
    caption = next(p for p in slide.placeholders if p.placeholder_format.idx == 2)
    assert caption.text_frame.text == "Hỗ trợ từ thiết kế đến vận hành [5]"
    # the cases slide has no bullets: its empty caption placeholder is removed
    assert [p.placeholder_format.idx for p in deck.slides[4].placeholders] == [0, 1]


def test_two_content_splits_bullets(deck) -> None:
    phs = {p.placeholder_format.idx: p for p in deck.slides[5].placeholders}
    assert phs[1].text_frame.text.split("\n") == ["Khảo sát nhu cầu", "Thí điểm tại Hà Nội"]
    assert phs[2].text_frame.text.split("\n") == ["Mở rộng toàn quốc", "Đánh giá tác động"]


def test_japanese_runs_have_east_asian_font_in_schema_order(deck) -> None:
    japanese = 0
    for frame in _all_frames(deck):
        for run in _runs(frame):
            rpr = run._r.find(qn("a:rPr"))
            assert rpr.get("lang") == "vi-VN"
            assert rpr.find(qn("a:latin")).get("typeface") == "Noto Sans"
            tags = [etree.QName(child).localname for child in rpr]
            assert tags == sorted(tags, key=RPR_ORDER.index), tags
            if has_cjk(run.text):
                japanese += 1
                assert rpr.find(qn("a:ea")).get("typeface") == "Noto Sans CJK JP"
                assert rpr.get("altLang") == "ja-JP"
            else:
                assert rpr.find(qn("a:ea")) is None
    assert japanese >= 7  # one bullet, six note quotes


def test_no_shape_extends_outside_the_slide(deck) -> None:
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (number, shape.name)
            assert shape.left + shape.width <= SLIDE_W, (number, shape.name)
            assert shape.top + shape.height <= SLIDE_H, (number, shape.name)


def test_body_and_table_font_sizes_within_range(deck) -> None:
    body_lo, body_hi = FONT_RANGES["body"]
    table_lo, table_hi = FONT_RANGES["table"]
    checked = 0
    for slide in deck.slides:
        for shape in slide.placeholders:
            if shape.placeholder_format.type != PP_PLACEHOLDER.BODY:
                continue
            for run in _runs(shape.text_frame):
                if run.text.startswith(" ["):
                    continue  # citation markers are deliberately smaller
                kind = "caption" if slide.slide_layout.name == "pitch-table" else "body"
                lo, hi = FONT_RANGES[kind]
                assert lo <= run.font.size.pt <= hi
                checked += 1
            assert shape.text_frame.word_wrap is True
        for shape in slide.shapes:
            if shape.has_table:
                for cell in (c for row in shape.table.rows for c in row.cells):
                    for run in _runs(cell.text_frame):
                        if not run.text.startswith("["):
                            assert table_lo <= run.font.size.pt <= table_hi
                            checked += 1
    assert (body_lo, body_hi) == (12.0, 18.0)
    assert checked > 20


def test_missing_layout_raises_template_error(tmp_path: Path) -> None:
    bad = Slide(role="challenge", layout="pitch-missing", title="x")
    with pytest.raises(TemplateError) as info:
        render_deck(make_plan((bad,)), TEMPLATE, tmp_path / "deck.pptx")
    message = str(info.value)
    assert "pitch-missing" in message and "pitch-two-content" in message
    assert str(TEMPLATE) in message
    assert info.value.available == ["pitch-title", "pitch-content", "pitch-table", "pitch-two-content"]
    assert not (tmp_path / "deck.pptx").exists()


def test_missing_placeholder_raises_template_error(tmp_path: Path) -> None:
    prs = Presentation(str(TEMPLATE))
    layout = prs.slide_layouts.get_by_name("pitch-table")
    caption = next(p for p in layout.placeholders if p.placeholder_format.idx == 2)
    caption._element.getparent().remove(caption._element)
    broken = tmp_path / "broken.pptx"
    prs.save(str(broken))
    with pytest.raises(TemplateError, match=r"'pitch-table' lacks placeholder idx=2"):
        render_deck(make_plan(), broken, tmp_path / "deck.pptx")


def test_unreadable_template_raises_template_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.pptx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(TemplateError, match="cannot open"):
        render_deck(make_plan(), fake, tmp_path / "deck.pptx")


def test_existing_slides_are_removed_and_output_replaced(tmp_path: Path) -> None:
    prs = Presentation(str(TEMPLATE))
    prs.slides.add_slide(prs.slide_layouts[0]).shapes.title.text = "old"
    with_slide = tmp_path / "with_slide.pptx"
    prs.save(str(with_slide))
    out = tmp_path / "deck.pptx"
    out.write_bytes(b"old content")
    render_deck(make_plan(), with_slide, out)
    titles = [s.shapes.title.text_frame.text for s in Presentation(str(out)).slides]
    assert len(titles) == 7 and "old" not in titles


def test_overflow_is_reported_as_warning(tmp_path: Path) -> None:
    crowded = Slide(
        role="next_steps",
        layout="pitch-content",
        title="Quá nhiều nội dung",
        bullets=tuple(Bullet(text="Chính phủ điện tử " * 12) for _ in range(30)),
    )
    warnings = render_deck(make_plan((crowded,)), TEMPLATE, tmp_path / "deck.pptx")
    assert len(warnings) == 1
    assert warnings[0].startswith("slide 8 (next_steps): text in ") and "overflows" in warnings[0]
    body = Presentation(str(tmp_path / "deck.pptx")).slides[7].placeholders[1]
    assert {r.font.size.pt for r in _runs(body.text_frame)} == {FONT_RANGES["body"].min_pt}


def test_unknown_marker_is_reported(tmp_path: Path) -> None:
    odd = Slide(role="cases", layout="pitch-content", title="x", bullets=(Bullet(text="y [9]"),))
    warnings = render_deck(make_plan((odd,)), TEMPLATE, tmp_path / "deck.pptx")
    assert warnings == ["slide 8 (cases): markers [9] match no claim"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_supported_language_tags_its_runs(lang: str, tmp_path: Path) -> None:
    plan = make_plan().model_copy(update={"lang": lang, "slides": make_plan().slides[2:3]})
    out = tmp_path / f"deck-{lang}.pptx"
    assert render_deck(plan, TEMPLATE, out) == []
    runs = [r for frame in _all_frames(Presentation(str(out))) for r in _runs(frame)]
    assert runs
    assert {r._r.find(qn("a:rPr")).get("lang") for r in runs} == {pptx_render.LANG_TAGS[lang]}


def test_bullet_citing_an_unknown_claim_raises(tmp_path: Path) -> None:
    odd = Slide(role="cases", layout="pitch-content", title="x", bullets=(Bullet(text="y", claim_id="c99"),))
    with pytest.raises(GenerationError, match="'c99'"):
        render_deck(make_plan((odd,)), TEMPLATE, tmp_path / "deck.pptx")
    assert list(tmp_path.iterdir()) == []
