"""Render a :class:`~pitchgen.records.DeckPlan` into a 16:9 PowerPoint deck.

This is the only pitchgen module that imports python-pptx. The top half holds
pure helpers (script detection, a text-fit model, notes and column planning)
that take and return plain values; the bottom half is the adapter that writes
them into a template.

Template contract (see ``templates/pptx/build_template.py``): layouts are
looked up by name and their placeholders by ``idx``:

===================  ====================================================
layout               placeholders (``idx``: slot)
===================  ====================================================
pitch-title          0: title, 1: subtitle (subtitle + any bullets)
pitch-content        0: title, 1: body (bullets)
pitch-table          0: title, 1: table (``slide.table``), 2: caption
                     (bullets, meant for 1-3 short lines)
pitch-two-content    0: title, 1: left, 2: right
===================  ====================================================

On ``pitch-two-content``: when the slide has a table, the bullets go left and
the table rows go right as bullets (first cell at level 0, the other cells at
level 1 as ``"header: value"``); without a table the bullets are split into
groups (a level-0 bullet with the deeper bullets after it) and the first half
of the groups goes left, the rest right. Placeholders left empty are removed
from the slide so no "click to add text" prompt remains.

Units: lengths are EMU (914400 per inch, 12700 per point); font sizes are
points (pt).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.exc import PackageNotFoundError
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Pt

from pitchgen.fsutil import atomic_save
from pitchgen.errors import GenerationError, TemplateError
from pitchgen.render.textfit import (  # noqa: F401 - re-exported: the fit model is part of this module's API
    CELL_MARGIN_X_EMU,
    CELL_MARGIN_Y_EMU,
    CJK_EM,
    EMU_PER_PT,
    LATIN_EM,
    LINE_HEIGHT_EM,
    PARA_SPACE_EM,
    char_width_em,
    column_widths_emu,
    fit_font_size,
    fit_table_font_size,
    has_cjk,
    required_height_emu,
    table_row_heights_emu,
    wrapped_line_count,
)
from pitchgen.records import Bullet, Claim, DeckPlan, Lang, Slide

LATIN_FONT = "Noto Sans"
EA_FONT = "Noto Sans CJK JP"
MARKER_SCALE = 0.75
MARKER_RGB = RGBColor(0x2E, 0x75, 0xB6)
NOTES_PT = 12.0

LANG_TAGS: dict[Lang, str] = {
    "ja": "ja-JP", "vi": "vi-VN", "es": "es-ES", "pt": "pt-BR", "en": "en-US",
}  # fmt: skip
"""Output language -> BCP 47 tag written to ``a:rPr/@lang``."""


class FontRange(NamedTuple):
    """Allowed font sizes of one kind of text box, in pt."""

    min_pt: float
    max_pt: float


FONT_RANGES: dict[str, FontRange] = {
    "cover_title": FontRange(24.0, 36.0),
    "title": FontRange(20.0, 28.0),
    "subtitle": FontRange(14.0, 20.0),
    "body": FontRange(12.0, 18.0),
    "caption": FontRange(10.0, 14.0),
    "table": FontRange(9.0, 14.0),
}

LAYOUT_SLOTS: dict[str, dict[str, int]] = {
    "pitch-title": {"title": 0, "subtitle": 1},
    "pitch-content": {"title": 0, "body": 1},
    "pitch-table": {"title": 0, "table": 1, "caption": 2},
    "pitch-two-content": {"title": 0, "left": 1, "right": 2},
}
"""Layout name -> slot name -> placeholder ``idx``."""

_MARKER_RE = re.compile(r"\[(\d+)\]")


def shown_claims(plan: DeckPlan, slide: Slide) -> tuple[list[Claim], list[int]]:
    """Claims shown on ``slide``, ordered by marker, and markers that match no claim.

    A claim is shown when a bullet names it or its ``[n]`` marker appears in
    the title, subtitle, a bullet or a table cell.

    Raises:
        GenerationError: a bullet names a ``claim_id`` the plan lacks.
    """
    by_marker = {c.marker: c for c in reversed(plan.claims)}
    found: dict[int, Claim] = {}
    for bullet in slide.bullets:
        if bullet.claim_id is not None:
            claim = _claim(plan, bullet.claim_id)
            found[claim.marker] = claim
    texts = [slide.title, slide.subtitle, *(b.text for b in slide.bullets)]
    texts += [cell for row in slide.table for cell in row]
    unknown: set[int] = set()
    for text in texts:
        for m in _MARKER_RE.findall(text):
            n = int(m)
            if n in by_marker:
                found.setdefault(n, by_marker[n])
            else:
                unknown.add(n)
    return [found[n] for n in sorted(found)], sorted(unknown)


def note_lines(plan: DeckPlan, slide: Slide) -> list[str]:
    """Speaker-note lines: ``slide.notes``, then one line per citation of each shown claim.

    Citation lines read ``[n] {doc title} ({source_file}, lines A–B): 「{quote}」``;
    the quote is the original (Japanese) text.
    """
    lines = list(slide.notes)
    for claim in shown_claims(plan, slide)[0]:
        if not claim.citations:
            lines.append(f"[{claim.marker}] no citation recorded for claim {claim.claim_id}")
        for cit in claim.citations:
            title = plan.doc_titles.get(cit.doc_id, cit.doc_id)
            lines.append(
                f"[{claim.marker}] {title} ({cit.source_file}, "
                f"lines {cit.line_start}–{cit.line_end}): 「{cit.quote}」"
            )
    return lines


def split_two_content(slide: Slide) -> tuple[list[Bullet], list[Bullet]]:
    """Left and right bullets of a two-column slide (rule in the module docstring)."""
    if any(slide.table):
        header, *body = slide.table
        right: list[Bullet] = []
        for row in body or [header]:
            right.append(Bullet(text=row[0] if row else ""))
            for c, cell in enumerate(row[1:], start=1):
                label = header[c] if c < len(header) and body else ""
                right.append(Bullet(text=f"{label}: {cell}" if label else cell, level=1))
        return list(slide.bullets), right
    groups: list[list[Bullet]] = []
    for bullet in slide.bullets:
        if bullet.level == 0 or not groups:
            groups.append([])
        groups[-1].append(bullet)
    half = (len(groups) + 1) // 2
    return [b for g in groups[:half] for b in g], [b for g in groups[half:] for b in g]


def _claim(plan: DeckPlan, claim_id: str) -> Claim:
    try:
        return plan.claim(claim_id)
    except KeyError:
        raise GenerationError(
            f"a bullet cites claim {claim_id!r}, which the deck plan does not contain",
            fix="regenerate the plan; every bullet's claim_id must be in plan.claims.",
        ) from None


class _Para(NamedTuple):
    """One paragraph to write: runs of (text, is_marker) at a bullet level."""

    runs: tuple[tuple[str, bool], ...]
    level: int = 0

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs)


def _split_markers(text: str) -> tuple[tuple[str, bool], ...]:
    parts = re.split(r"(\[\d+\])", text)
    return tuple((p, bool(_MARKER_RE.fullmatch(p))) for p in parts if p) or (("", False),)


def _bullet_para(plan: DeckPlan, bullet: Bullet) -> _Para:
    runs = _split_markers(bullet.text)
    if bullet.claim_id is not None:
        runs += ((f" [{_claim(plan, bullet.claim_id).marker}]", True),)
    return _Para(runs, bullet.level)


# ---------------------------------------------------------------- pptx adapter


@dataclass
class _Ctx:
    """Per-slide state passed down the fill functions."""

    number: int
    slide: Slide
    lang_tag: str
    indents: tuple[int, ...]
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(f"slide {self.number} ({self.slide.role}): {message}")


def render_deck(plan: DeckPlan, template: Path, out_path: Path) -> list[str]:
    """Render ``plan`` into ``out_path`` using the layouts of ``template``.

    Existing slides of the template are removed; one slide is added per
    ``plan.slides`` entry with the layout named ``slide.layout``. Font sizes
    are fitted per box (:data:`FONT_RANGES`, pt); Japanese runs get the East
    Asian font; speaker notes carry the citations (:func:`note_lines`).
    The file is written atomically (temp file in the same directory, then
    ``os.replace``); the caller decides whether overwriting is allowed.

    Returns:
        Warnings, one string per problem that did not stop rendering, each
        starting ``"slide N (role): "`` and naming the shape: text that
        overflows its box even at the minimum size, a table on a layout
        without a table slot, a marker ``[n]`` that matches no claim.

    Raises:
        TemplateError: the template cannot be opened, lacks a layout named
            ``slide.layout`` (the message lists the available layouts), the
            layout is not in :data:`LAYOUT_SLOTS`, or it lacks a placeholder.
        GenerationError: a bullet cites a claim the plan does not contain.
    """
    prs = _open_template(template)
    _remove_slides(prs)
    indents = _level_indents(prs)
    warnings: list[str] = []
    for number, spec in enumerate(plan.slides, start=1):
        ctx = _Ctx(number, spec, LANG_TAGS[plan.lang], indents, warnings)
        layout = _find_layout(prs, spec.layout, template)
        pptx_slide = prs.slides.add_slide(layout)
        slots = _placeholders(pptx_slide, spec.layout, template)
        _fill_slide(plan, spec, slots, ctx)
        unknown = shown_claims(plan, spec)[1]
        if unknown:
            ctx.warn(f"markers {', '.join(f'[{n}]' for n in unknown)} match no claim")
        notes = [_Para(((line, False),)) for line in note_lines(plan, spec)]
        if notes:
            frame = pptx_slide.notes_slide.notes_text_frame
            _write_paras(frame, notes, NOTES_PT, ctx, space_em=0.0, levels=False)
    _save_atomic(prs, out_path)
    return warnings


def _fill_slide(plan: DeckPlan, spec: Slide, slots: dict[str, Any], ctx: _Ctx) -> None:
    bullets = [_bullet_para(plan, b) for b in spec.bullets]
    title_kind = "cover_title" if "subtitle" in slots else "title"
    _fill_text(slots["title"], [_Para(_split_markers(spec.title))], title_kind, ctx, indent=False)
    if "subtitle" in slots:  # cover: subtitle, then any bullets as plain lines
        lines = ([_Para(_split_markers(spec.subtitle))] if spec.subtitle else []) + [
            _Para(p.runs) for p in bullets
        ]
        _fill_or_drop(slots["subtitle"], lines, "subtitle", ctx, indent=False)
    if "body" in slots:
        _fill_or_drop(slots["body"], bullets, "body", ctx)
    if "caption" in slots:
        _fill_or_drop(slots["caption"], bullets, "caption", ctx)
    if "left" in slots:
        left, right = split_two_content(spec)
        _fill_or_drop(slots["left"], [_bullet_para(plan, b) for b in left], "body", ctx)
        _fill_or_drop(slots["right"], [_bullet_para(plan, b) for b in right], "body", ctx)
    if "table" in slots:
        if any(spec.table):
            _fill_table(slots["table"], spec.table, ctx)
        else:
            _drop(slots["table"])
            ctx.warn("layout pitch-table but the slide has no table; placeholder removed")
    elif spec.table and "left" not in slots:
        ctx.warn(f"table ignored: layout {spec.layout!r} has no table placeholder")


def _open_template(template: Path) -> Any:
    try:
        return Presentation(str(template))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise TemplateError(
            f"cannot open the PPTX template ({exc})",
            path=template,
            fix="pass a .pptx built by templates/pptx/build_template.py.",
        ) from exc


def _remove_slides(prs: Any) -> None:
    id_lst = prs.slides._sldIdLst
    for sld_id in list(id_lst):
        rid = sld_id.rId
        id_lst.remove(sld_id)
        prs.part.drop_rel(rid)


def _level_indents(prs: Any) -> tuple[int, ...]:
    """Left margin (``marL``, EMU) of body levels 0..4 from the master's text styles."""
    defaults = (342900, 742950, 1143000, 1600200, 2057400)  # python-pptx default master
    body = prs.slide_master.element.find(f"{qn('p:txStyles')}/{qn('p:bodyStyle')}")
    levels = [body.find(qn(f"a:lvl{n}pPr")) if body is not None else None for n in range(1, 6)]
    return tuple(
        int(ppr.get("marL", d)) if ppr is not None else d for ppr, d in zip(levels, defaults)
    )


def _find_layout(prs: Any, name: str, template: Path) -> Any:
    layout = prs.slide_layouts.get_by_name(name)
    available = [lay.name for lay in prs.slide_layouts]
    if layout is None:
        err = TemplateError(
            f"no slide layout named {name!r}; available layouts: {', '.join(available)}",
            path=template,
            fix="use one of the available layouts or rebuild the template.",
        )
        err.layout, err.available = name, available
        raise err
    if name not in LAYOUT_SLOTS:
        raise TemplateError(
            f"layout {name!r} has no pitchgen placeholder mapping; "
            f"supported layouts: {', '.join(LAYOUT_SLOTS)}",
            path=template,
            fix="plan slides with a supported layout.",
        )
    return layout


def _placeholders(pptx_slide: Any, layout: str, template: Path) -> dict[str, Any]:
    by_idx = {ph.placeholder_format.idx: ph for ph in pptx_slide.placeholders}
    out = {}
    for slot, idx in LAYOUT_SLOTS[layout].items():
        if idx not in by_idx:
            raise TemplateError(
                f"layout {layout!r} lacks placeholder idx={idx} ({slot}); "
                f"it has idx {sorted(by_idx)}",
                path=template,
                fix="rebuild the template with templates/pptx/build_template.py.",
            )
        out[slot] = by_idx[idx]
    return out


def _drop(shape: Any) -> None:
    el = shape._element
    el.getparent().remove(el)


def _fill_or_drop(shape: Any, paras: list[_Para], kind: str, ctx: _Ctx, *, indent: bool = True):
    if paras:
        _fill_text(shape, paras, kind, ctx, indent=indent)
    else:
        _drop(shape)


def _fill_text(shape: Any, paras: list[_Para], kind: str, ctx: _Ctx, *, indent: bool = True):
    """Fit and write paragraphs into a placeholder; warn when min size overflows."""
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    width = shape.width - frame.margin_left - frame.margin_right
    height = shape.height - frame.margin_top - frame.margin_bottom
    texts = [p.text for p in paras]
    indents = [ctx.indents[p.level] if indent else 0 for p in paras]
    space = PARA_SPACE_EM if kind in ("body", "caption") else 0.0
    rng = FONT_RANGES[kind]
    fit = {"indents_emu": indents, "para_space_em": space}
    pt = fit_font_size(texts, width, height, rng.max_pt, rng.min_pt, **fit)
    need = required_height_emu(texts, width, pt, **fit)
    if need > height:
        ctx.warn(
            f"text in {shape.name!r} overflows: needs {need / 914400:.2f} in at {pt} pt, "
            f"box is {height / 914400:.2f} in"
        )
    _write_paras(frame, paras, pt, ctx, space_em=space, levels=indent)


def _fill_table(placeholder: Any, rows: Sequence[Sequence[str]], ctx: _Ctx) -> None:
    """Replace the table placeholder by a fitted table; row 0 is the (bold) header."""
    n_cols = max(len(r) for r in rows)
    grid = [tuple(r) + ("",) * (n_cols - len(r)) for r in rows]
    widths = column_widths_emu(grid, placeholder.width)
    rng = FONT_RANGES["table"]
    pt = fit_table_font_size(grid, widths, placeholder.height, rng.max_pt, rng.min_pt)
    heights = table_row_heights_emu(grid, widths, pt)
    box_height = placeholder.height
    frame = placeholder.insert_table(len(grid), n_cols)
    table = frame.table
    for c, w in enumerate(widths):
        table.columns[c].width = Emu(w)
    for r, h in enumerate(heights):
        table.rows[r].height = Emu(h)
    frame.height = Emu(sum(heights))
    if sum(heights) > box_height:
        ctx.warn(
            f"table in {frame.name!r} overflows: needs {sum(heights) / 914400:.2f} in at {pt} pt, "
            f"box is {box_height / 914400:.2f} in"
        )
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            cell_frame = table.cell(r, c).text_frame
            cell_frame.word_wrap = True
            para = [_Para(_split_markers(text))]
            _write_paras(cell_frame, para, pt, ctx, space_em=0.0, levels=False, bold=r == 0 or None)


def _write_paras(
    frame: Any, paras: list[_Para], pt: float, ctx: _Ctx, *,
    space_em: float, levels: bool = True, bold: bool | None = None,
) -> None:  # fmt: skip
    """Replace the frame's text; the exact line spacing (1.2 em) is the fit model's."""
    frame.clear()
    for i, para in enumerate(paras):
        p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if levels:
            p.level = para.level
        p.line_spacing = Pt(LINE_HEIGHT_EM * pt)
        p.space_before = Pt(space_em * pt)
        for text, is_marker in para.runs:
            for k, segment in enumerate(text.split("\n")):
                if k:
                    p.add_line_break()
                run = p.add_run()
                run.text = segment
                size = max(1.0, round(pt * MARKER_SCALE * 2) / 2) if is_marker else pt
                _style_run(run, size, ctx.lang_tag, marker=is_marker, bold=bold)


def _style_run(run: Any, size_pt: float, lang_tag: str, *, marker: bool, bold: bool | None):
    """Size, fonts and language of one run; Japanese runs get ``a:ea`` and ``altLang``."""
    font = run.font
    font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    if marker:
        font.color.rgb = MARKER_RGB
    font.name = LATIN_FONT
    rPr = run._r.get_or_add_rPr()
    rPr.set("lang", lang_tag)
    if has_cjk(run.text):
        rPr.set("altLang", "ja-JP")
        _set_east_asian(rPr, EA_FONT)


def _set_east_asian(rPr: Any, typeface: str) -> None:
    """Set ``a:rPr/a:ea`` in schema order (after ``a:latin``, before ``a:cs``...)."""
    for old in rPr.findall(qn("a:ea")):
        rPr.remove(old)
    ea = OxmlElement("a:ea")
    ea.set("typeface", typeface)
    rPr.insert_element_before(
        ea, "a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst"
    )


def _save_atomic(prs: Any, out_path: Path) -> None:
    atomic_save(out_path, prs.save)
