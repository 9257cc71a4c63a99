"""Build ``templates/docx/brief.docx``, the docxtpl template of the 2-4 page brief.

Run from the repository root::

    .venv/bin/python templates/docx/build_template.py            # writes templates/docx/brief.docx
    .venv/bin/python templates/docx/build_template.py OUT.docx   # writes elsewhere

The template is plain python-docx output with Jinja tags for docxtpl. Every
visible label comes from the render context (the brief is written in
vi/es/pt/en/ja), so this file contains no English user-facing text. The
context it expects is built by :func:`pitchgen.render.docx_render.brief_context`:

=====================  ==========================================================
tag                    meaning
=====================  ==========================================================
``title``              deck title (title slide)
``subtitle``           second title line; paragraph dropped when empty
``generated_label``    localized "Generated on"
``generated_on``       ISO date the plan was made
``summary``            one-paragraph summary; section dropped when empty
``labels.*``           localized fixed strings (summary, logframe, output, ...)
``sections``           list of ``{heading, items: [{text, markers}]}``; looped as
                       ``section['items']`` (``section.items`` would be the
                       dict method)
                       (``markers`` is a docxtpl ``RichText`` at render time,
                       hence ``{{r item.markers }}``)
``case_scope_note``    how cases were chosen; paragraph dropped when empty
``logframe``           list of ``{output, outcome, impact, sdg_target,
                       indicator, evidence}``; heading and table dropped when
                       empty (``{%tr for %}`` row loop)
``references``         list of ``{number, title, source_file, lines_label,
                       line_start, line_end, quote}``; endnote-style list
                       (docxtpl cannot write real footnotes)
=====================  ==========================================================

Page set-up: A4 (21.0 x 29.7 cm), 2 cm margins on all sides, so the text
block is 17.0 x 25.7 cm. Body text is 10.5 pt "Noto Sans" with the East
Asian font "Noto Sans CJK JP" (``w:rFonts/@w:eastAsia``); theme font
references of the python-docx default template are removed so that Word and
LibreOffice both use these fonts for every style, including headings.

The output is deterministic apart from the zip container's timestamps: core
properties are fixed, not taken from the clock.
"""

from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

LATIN_FONT = "Noto Sans"
EAST_ASIA_FONT = "Noto Sans CJK JP"
BODY_SIZE = Pt(10.5)
TABLE_SIZE = Pt(8.5)
REFERENCE_SIZE = Pt(9)
MARGIN = Cm(2)
TEXT_WIDTH = Cm(17)  # A4 width 21 cm minus two 2 cm margins

LOGFRAME_FIELDS = ("output", "outcome", "impact", "sdg_target", "indicator", "evidence")
# Column widths in cm, summing to the 17 cm text width; evidence holds only "[3][4]".
LOGFRAME_WIDTHS_CM = (2.6, 2.6, 2.2, 4.6, 3.6, 1.4)

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

DEFAULT_OUT = Path(__file__).with_name("brief.docx")


def _set_rfonts(rpr) -> None:
    """Give ``rpr`` (a ``w:rPr``) explicit Latin and East Asian fonts, no theme fonts."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:cs"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), EAST_ASIA_FONT)


def _configure_styles(document) -> None:
    """Fonts, sizes and spacing of the styles the template uses."""
    styles_el = document.styles.element
    # docDefaults: explicit fonts and 10.5 pt (sz is in half-points).
    rpr_default = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr_default)
    for tag in ("w:sz", "w:szCs"):
        el = rpr_default.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), "21")
    # Every style that names a theme font gets the explicit fonts instead.
    for rfonts in styles_el.iter(qn("w:rFonts")):
        if any(rfonts.get(qn(a)) is not None for a in _THEME_ATTRS):
            _set_rfonts(rfonts.getparent())

    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT  # sets w:ascii and w:hAnsi
    normal.font.size = BODY_SIZE
    _set_rfonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15

    title = document.styles["Title"]
    title.font.size = Pt(20)
    title.paragraph_format.space_after = Pt(6)

    subtitle = document.styles["Subtitle"]
    subtitle.font.size = Pt(12)
    subtitle.font.italic = False  # italic CJK is synthesised and hard to read
    subtitle.paragraph_format.space_after = Pt(2)

    for name, size in (("Heading 1", Pt(13)), ("Heading 2", Pt(11.5))):
        style = document.styles[name]
        style.font.size = size
        style.paragraph_format.space_before = Pt(10)
        style.paragraph_format.space_after = Pt(3)

    bullet = document.styles["List Bullet"]
    bullet.paragraph_format.space_after = Pt(2)


def _page_setup(document) -> None:
    """A4 portrait with 2 cm margins."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _tag_paragraph(document, tag: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag (removed when rendered)."""
    document.add_paragraph(tag)


def _cell_text(cell, text: str, *, bold: bool = False) -> None:
    """Put ``text`` as one run in ``cell``'s first paragraph, at table size."""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = 1.0
    run = paragraph.add_run(text)
    run.font.size = TABLE_SIZE
    run.bold = bold


def _repeat_header(row) -> None:
    """Mark ``row`` as a header row repeated on every page (``w:tblHeader``)."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def _logframe_table(document) -> None:
    """Header row, then a ``{%tr for %}`` row loop: 4 template rows, N+1 rendered rows."""
    table = document.add_table(rows=4, cols=len(LOGFRAME_FIELDS))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Widths go both on the grid (LibreOffice reads it) and on every cell (Word reads tcW).
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, LOGFRAME_WIDTHS_CM, strict=True):
        grid_col.w = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, LOGFRAME_WIDTHS_CM, strict=True):
            cell.width = Cm(width)
    header, loop_open, body, loop_close = table.rows
    _repeat_header(header)
    for cell, field in zip(header.cells, LOGFRAME_FIELDS, strict=True):
        _cell_text(cell, f"{{{{ labels.{field} }}}}", bold=True)
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), "DCE6F1")
        cell._tc.get_or_add_tcPr().append(shading)
    _cell_text(loop_open.cells[0], "{%tr for row in logframe %}")
    for cell, field in zip(body.cells, LOGFRAME_FIELDS, strict=True):
        _cell_text(cell, f"{{{{ row.{field} }}}}")
    _cell_text(loop_close.cells[0], "{%tr endfor %}")


def build(out_path: Path = DEFAULT_OUT) -> Path:
    """Write the brief template to ``out_path`` and return it.

    Args:
        out_path: destination ``.docx``; its directory must exist.

    Returns:
        ``out_path``.
    """
    document = docx.Document()
    _page_setup(document)
    _configure_styles(document)

    props = document.core_properties
    props.title = "pitchgen brief template"
    props.author = "pitchgen"
    props.comments = (
        f"Built by templates/docx/build_template.py with python-docx {docx.__version__}; "
        "docxtpl template, context from pitchgen.render.docx_render.brief_context."
    )
    fixed = _dt.datetime(2025, 1, 1, tzinfo=_dt.UTC)
    props.created = fixed
    props.modified = fixed
    props.revision = 1

    # Title block.
    document.add_paragraph("{{ title }}", style="Title")
    _tag_paragraph(document, "{%p if subtitle %}")
    document.add_paragraph("{{ subtitle }}", style="Subtitle")
    _tag_paragraph(document, "{%p endif %}")
    generated = document.add_paragraph()
    run = generated.add_run("{{ generated_label }}: {{ generated_on }}")
    run.font.size = REFERENCE_SIZE
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    # Summary.
    _tag_paragraph(document, "{%p if summary %}")
    document.add_paragraph("{{ labels.summary }}", style="Heading 1")
    document.add_paragraph("{{ summary }}")
    _tag_paragraph(document, "{%p endif %}")

    # One section per content slide; markers are RichText (superscript).
    _tag_paragraph(document, "{%p for section in sections %}")
    document.add_paragraph("{{ section.heading }}", style="Heading 1")
    # ``section['items']``, not ``section.items``: Jinja tries getattr first and
    # would return the dict's ``items`` method.
    _tag_paragraph(document, "{%p for item in section['items'] %}")
    bullet = document.add_paragraph(style="List Bullet")
    bullet.add_run("{{ item.text }}")
    bullet.add_run("{{r item.markers }}")
    _tag_paragraph(document, "{%p endfor %}")
    _tag_paragraph(document, "{%p endfor %}")

    # How the cases were chosen (next to the sections it qualifies).
    _tag_paragraph(document, "{%p if case_scope_note %}")
    note = document.add_paragraph()
    label = note.add_run("{{ labels.scope_note }}: ")
    label.bold = True
    note.add_run("{{ case_scope_note }}")
    _tag_paragraph(document, "{%p endif %}")

    # Logframe table.
    _tag_paragraph(document, "{%p if logframe %}")
    document.add_paragraph("{{ labels.logframe }}", style="Heading 1")
    _logframe_table(document)
    _tag_paragraph(document, "{%p endif %}")

    # Endnote-style references.
    _tag_paragraph(document, "{%p if references %}")
    document.add_paragraph("{{ labels.references }}", style="Heading 1")
    _tag_paragraph(document, "{%p for ref in references %}")
    ref = document.add_paragraph()
    ref.paragraph_format.left_indent = Cm(0.9)
    ref.paragraph_format.first_line_indent = Cm(-0.9)
    ref.paragraph_format.space_after = Pt(2)
    ref.paragraph_format.line_spacing = 1.0
    ref_run = ref.add_run(
        "[{{ ref.number }}] {{ ref.title }} — {{ ref.source_file }}, "
        "{{ ref.lines_label }} {{ ref.line_start }}–{{ ref.line_end }}: 「{{ ref.quote }}」"
    )
    ref_run.font.size = REFERENCE_SIZE
    _tag_paragraph(document, "{%p endfor %}")
    _tag_paragraph(document, "{%p endif %}")

    document.save(str(out_path))
    return out_path


def main(argv: list[str]) -> int:
    """CLI entry: ``build_template.py [OUT.docx]``; prints the path written."""
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    print(build(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
