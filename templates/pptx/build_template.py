"""Build ``pitch_16x9.pptx``, the 16:9 PowerPoint template pitchgen renders into.

Run from the project root::

    .venv/bin/python templates/pptx/build_template.py [OUT.pptx]

(default output: ``pitch_16x9.pptx`` next to this script). The build is
deterministic: the same python-pptx version gives byte-identical output, so
the committed binary can be checked against a rebuild.

What it does, starting from python-pptx's default (4:3) template:

* sets the slide size to 13.333 in x 7.5 in (12192000 x 6858000 EMU);
* deletes any sample slides and every layout except four, renamed
  (``cSld/@name``) and placed for 16:9:

  ===================  ==================================================
  layout               placeholders (``idx``: type)
  ===================  ==================================================
  pitch-title          0: ctrTitle, 1: subTitle
  pitch-content        0: title, 1: body
  pitch-table          0: title, 1: tbl (upper ~70 %), 2: body (caption)
  pitch-two-content    0: title, 1: body (left), 2: body (right)
  ===================  ==================================================

  (date / footer / slide-number placeholders are kept on the master and
  layouts, resized; python-pptx does not copy them onto new slides, so
  decks carry no footers);
* sober look: a navy band at the top of the master and a thin accent rule
  under the title; the cover layout has its own band at the bottom;
* text styles: titles 28 pt bold navy, left aligned (cover 36 pt centred);
  body levels 18/16/14/14/14 pt;
* fonts: theme major/minor fonts and the master text styles use latin
  "Noto Sans" and East Asian (``a:ea``) "Noto Sans CJK JP"; the theme's
  ``Jpan`` and ``Viet`` script fonts are set to match.

python-pptx has no API for layout names, table placeholders, master shapes or
theme fonts, so this script edits the XML directly; it is a build tool, not
part of the ``pitchgen`` package.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import XmlPart
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.oxml.shapes.autoshape import CT_Shape
from pptx.util import Emu, Inches

SLIDE_W = Emu(12192000)
SLIDE_H = Emu(6858000)
MARGIN_X = Inches(0.5)
CONTENT_W = Emu(SLIDE_W - 2 * MARGIN_X)
GUTTER = Inches(0.3)

LATIN_FONT = "Noto Sans"
EA_FONT = "Noto Sans CJK JP"
NAVY = "1F3864"
ACCENT = "2E75B6"

# Geometry, in EMU: (left, top, width, height).
TITLE_BOX = (MARGIN_X, Inches(0.25), CONTENT_W, Inches(0.9))
BODY_BOX = (MARGIN_X, Inches(1.35), CONTENT_W, Inches(5.35))
TABLE_BOX = (MARGIN_X, Inches(1.35), CONTENT_W, Inches(3.85))
CAPTION_BOX = (MARGIN_X, Inches(5.3), CONTENT_W, Inches(1.4))
HALF_W = Emu((CONTENT_W - GUTTER) // 2)
LEFT_BOX = (MARGIN_X, Inches(1.35), HALF_W, Inches(5.35))
RIGHT_BOX = (Emu(MARGIN_X + HALF_W + GUTTER), Inches(1.35), HALF_W, Inches(5.35))
COVER_TITLE_BOX = (Inches(1.0), Inches(2.0), Emu(SLIDE_W - 2 * Inches(1.0)), Inches(1.6))
COVER_SUBTITLE_BOX = (Inches(1.0), Inches(3.8), Emu(SLIDE_W - 2 * Inches(1.0)), Inches(1.9))
FOOTER_Y, FOOTER_H = Inches(6.95), Inches(0.35)
DATE_BOX = (MARGIN_X, FOOTER_Y, Inches(3.0), FOOTER_H)
FOOTER_BOX = (Inches(4.0), FOOTER_Y, Emu(SLIDE_W - 2 * Inches(4.0)), FOOTER_H)
SLDNUM_BOX = (Emu(SLIDE_W - MARGIN_X - Inches(3.0)), FOOTER_Y, Inches(3.0), FOOTER_H)
LATENT = {
    PP_PLACEHOLDER.DATE: DATE_BOX,
    PP_PLACEHOLDER.FOOTER: FOOTER_BOX,
    PP_PLACEHOLDER.SLIDE_NUMBER: SLDNUM_BOX,
}

BODY_SIZES_PT = (18, 16, 14, 14, 14, 14, 14, 14, 14)
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def _place(shape, box) -> None:
    shape.left, shape.top, shape.width, shape.height = box


def _rect_sp(id_: int, name: str, box, rgb: str):
    """A plain filled rectangle (``p:sp``) with no outline and no text."""
    x, y, cx, cy = box
    return parse_xml(
        f"<p:sp {nsdecls('a', 'p')}><p:nvSpPr><p:cNvPr id=\"{id_}\" name=\"{name}\"/>"
        f'<p:cNvSpPr/><p:nvPr userDrawn="1"/></p:nvSpPr><p:spPr>'
        f'<a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="{rgb}"/></a:solidFill><a:ln><a:noFill/></a:ln>'
        f"</p:spPr></p:sp>"
    )


def _next_id(spTree) -> int:
    ids = [int(e.get("id")) for e in spTree.iter(qn("p:cNvPr"))]
    return max(ids, default=1) + 1


def _add_background_shapes(spTree, shapes) -> None:
    """Insert decoration right after ``p:grpSpPr`` so it sits behind placeholders."""
    anchor = spTree.find(qn("p:grpSpPr"))
    for name, box, rgb in shapes:
        sp = _rect_sp(_next_id(spTree), name, box, rgb)
        anchor.addnext(sp)
        anchor = sp


def _set_fonts(rPr) -> None:
    """Point ``a:latin`` / ``a:ea`` of a ``defRPr`` at the pitchgen fonts."""
    for tag, face in (("a:latin", LATIN_FONT), ("a:ea", EA_FONT)):
        el = rPr.find(qn(tag))
        if el is not None:
            el.set("typeface", face)


def _style_master(master) -> None:
    el = master.element
    for ph in master.placeholders:
        ph_type = ph.placeholder_format.type
        if ph_type == PP_PLACEHOLDER.TITLE:
            _place(ph, TITLE_BOX)
        elif ph_type == PP_PLACEHOLDER.BODY:
            _place(ph, BODY_BOX)
        elif ph_type in LATENT:
            _place(ph, LATENT[ph_type])
    _add_background_shapes(
        el.cSld.spTree,
        [
            ("Top Band", (0, 0, SLIDE_W, Inches(0.12)), NAVY),
            ("Title Rule", (MARGIN_X, Inches(1.2), CONTENT_W, Inches(0.03)), ACCENT),
        ],
    )
    styles = el.find(qn("p:txStyles"))
    title_p = styles.find(qn("p:titleStyle")).find(qn("a:lvl1pPr"))
    title_p.set("algn", "l")
    title_r = title_p.find(qn("a:defRPr"))
    title_r.set("sz", "2800")
    title_r.set("b", "1")
    fill = title_r.find(qn("a:solidFill"))
    for child in list(fill):
        fill.remove(child)
    etree.SubElement(fill, qn("a:srgbClr")).set("val", NAVY)
    for lvl, size in enumerate(BODY_SIZES_PT, start=1):
        body_p = styles.find(qn("p:bodyStyle")).find(qn(f"a:lvl{lvl}pPr"))
        body_p.find(qn("a:defRPr")).set("sz", str(size * 100))
    for rPr in styles.iter(qn("a:defRPr")):
        _set_fonts(rPr)


def _set_theme_fonts(theme_part) -> None:
    """Rewrite the theme's major/minor fonts.

    A theme loaded from a file is a plain blob part; one python-pptx creates
    (the notes master's) is an ``XmlPart`` edited in place.
    """
    is_xml_part = isinstance(theme_part, XmlPart)
    root = theme_part._element if is_xml_part else etree.fromstring(theme_part.blob)
    for which in ("a:majorFont", "a:minorFont"):
        for font in root.iter(qn(which)):
            font.find(qn("a:latin")).set("typeface", LATIN_FONT)
            font.find(qn("a:ea")).set("typeface", EA_FONT)
            for script_font in font.findall(qn("a:font")):
                if script_font.get("script") == "Jpan":
                    script_font.set("typeface", EA_FONT)
                elif script_font.get("script") == "Viet":
                    script_font.set("typeface", LATIN_FONT)
    if not is_xml_part:
        theme_part.blob = etree.tostring(
            root, xml_declaration=True, encoding="UTF-8", standalone=True
        )


def _rename(layout, name: str) -> None:
    layout.element.cSld.set("name", name)


def _place_latent(layout) -> None:
    for ph in layout.placeholders:
        box = LATENT.get(ph.placeholder_format.type)
        if box is not None:
            _place(ph, box)


def _by_idx(layout, idx: int):
    for ph in layout.placeholders:
        if ph.placeholder_format.idx == idx:
            return ph
    raise KeyError(f"{layout.name} has no placeholder idx={idx}")


def _make_body(ph) -> None:
    """Turn a content (``obj``) placeholder into a text-only ``body`` one."""
    ph.element.ph.type = PP_PLACEHOLDER.BODY


def _add_placeholder(layout, ph_type, idx: int, name: str, box, prompt: str):
    spTree = layout.element.cSld.spTree
    sp = CT_Shape.new_placeholder_sp(_next_id(spTree), name, ph_type, "horz", "full", idx)
    if sp.find(qn("p:txBody")) is None:  # table placeholders get a prompt body too
        sp.append(parse_xml(f"<p:txBody {nsdecls('a', 'p')}><a:bodyPr/><a:lstStyle/><a:p/></p:txBody>"))
    para = sp.find(qn("p:txBody")).find(qn("a:p"))
    para.append(parse_xml(f'<a:r {nsdecls("a")}><a:rPr lang="en-US"/><a:t>{prompt}</a:t></a:r>'))
    # keep latent placeholders (date, footer, number) last, as PowerPoint does
    first_latent = next(
        (e for e in spTree.iter_ph_elms() if e.ph_type in LATENT), None
    )
    if first_latent is not None:
        first_latent.addprevious(sp)
    else:
        spTree.append(sp)
    placed = _by_idx(layout, idx)
    _place(placed, box)
    return placed


def _caption_style(ph) -> None:
    """Smaller text (14 pt) for the caption under a table."""
    lst = ph.element.find(qn("p:txBody")).find(qn("a:lstStyle"))
    lst.append(parse_xml(f'<a:lvl1pPr {nsdecls("a")}><a:defRPr sz="1400"/></a:lvl1pPr>'))
    lst.append(parse_xml(f'<a:lvl2pPr {nsdecls("a")}><a:defRPr sz="1300"/></a:lvl2pPr>'))


def _build_layouts(prs) -> None:
    layouts = {lay.name: lay for lay in prs.slide_layouts}
    cover = layouts["Title Slide"]
    content = layouts["Title and Content"]
    two = layouts["Two Content"]
    table = layouts["Title Only"]
    keep = [cover, content, table, two]
    for lay in list(prs.slide_layouts):
        if all(lay is not k for k in keep):
            prs.slide_layouts.remove(lay)

    _rename(cover, "pitch-title")
    cover.element.set("showMasterSp", "0")
    _place(_by_idx(cover, 0), COVER_TITLE_BOX)
    _place(_by_idx(cover, 1), COVER_SUBTITLE_BOX)
    title_lst = _by_idx(cover, 0).element.find(qn("p:txBody")).find(qn("a:lstStyle"))
    title_lst.append(parse_xml(f'<a:lvl1pPr {nsdecls("a")} algn="ctr"><a:defRPr sz="3600"/></a:lvl1pPr>'))
    _add_background_shapes(
        cover.element.cSld.spTree,
        [
            ("Cover Band", (0, Inches(6.9), SLIDE_W, Inches(0.6)), NAVY),
            ("Cover Rule", (Inches(5.667), Inches(3.68), Inches(2.0), Inches(0.05)), ACCENT),
        ],
    )

    _rename(content, "pitch-content")
    _place(_by_idx(content, 0), TITLE_BOX)
    _place(_by_idx(content, 1), BODY_BOX)
    _make_body(_by_idx(content, 1))

    _rename(table, "pitch-table")
    _place(_by_idx(table, 0), TITLE_BOX)
    _add_placeholder(table, PP_PLACEHOLDER.TABLE, 1, "Table Placeholder 2", TABLE_BOX, "Table")
    caption = _add_placeholder(
        table, PP_PLACEHOLDER.BODY, 2, "Text Placeholder 3", CAPTION_BOX, "Caption or key points"
    )
    _caption_style(caption)

    _rename(two, "pitch-two-content")
    _place(_by_idx(two, 0), TITLE_BOX)
    _place(_by_idx(two, 1), LEFT_BOX)
    _place(_by_idx(two, 2), RIGHT_BOX)
    _make_body(_by_idx(two, 1))
    _make_body(_by_idx(two, 2))

    for lay in keep:
        _place_latent(lay)
    # deck order of the layout list: title, content, table, two-content
    id_lst = prs.slide_master.element.find(qn("p:sldLayoutIdLst"))
    by_rid = {e.get(qn("r:id")): e for e in id_lst}
    master_part = prs.slide_master.part
    for lay in keep:
        rid = next(r for r, rel in master_part.rels.items() if rel.target_part is lay.part)
        id_lst.append(by_rid[rid])


def _delete_slides(prs) -> None:
    id_lst = prs.slides._sldIdLst
    for sld_id in list(id_lst):
        rid = sld_id.rId
        id_lst.remove(sld_id)
        prs.part.drop_rel(rid)


def _deterministic_zip(blob: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps so rebuilds are byte-identical."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build(out: Path) -> None:
    """Build the template and write it to ``out`` (overwrites)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _delete_slides(prs)
    _style_master(prs.slide_master)
    _build_layouts(prs)
    _set_theme_fonts(prs.slide_master.part.part_related_by(RT.THEME))
    _set_theme_fonts(prs.notes_master.part.part_related_by(RT.THEME))
    for part in prs.part.package.iter_parts():
        if part.partname == "/docProps/app.xml":  # stale list of the 11 default layouts
            part.blob = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'extended-properties"><Application>pitchgen</Application></Properties>'
            )
    props = prs.core_properties
    props.title = "pitchgen 16:9 pitch template"
    props.author = props.last_modified_by = "pitchgen"
    props.revision = 1
    props.created = props.modified = props.last_printed = dt.datetime(*FIXED_ZIP_TIME)
    buf = io.BytesIO()
    prs.save(buf)
    out.write_bytes(_deterministic_zip(buf.getvalue()))


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("pitch_16x9.pptx")
    build(out)
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
