"""Text-fit model for slides: pure functions, no python-pptx (split out of pptx_render).

python-pptx's ``fit_text`` needs font files and breaks lines only at spaces,
which is useless for Japanese; this model estimates wrapped lines with a
character-width table (CJK full-width = 1 em, Latin ~0.55 em; Latin breaks
at spaces, CJK anywhere) and a line pitch of 1.2 em, and picks the largest
size in 0.5 pt steps that fits. Lengths are EMU (12700 per pt).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

EMU_PER_PT = 12700
LINE_HEIGHT_EM = 1.2
"""Line pitch of the fit model; the renderer sets exactly this line spacing."""
PARA_SPACE_EM = 0.3
"""Space before each body paragraph, in em of the body font size."""
CJK_EM = 1.0
LATIN_EM = 0.55

CELL_MARGIN_X_EMU = 2 * 91440  # left + right inset of a table cell (python-pptx default)
CELL_MARGIN_Y_EMU = 2 * 45720  # top + bottom inset
# CJK punctuation (「」、。), hiragana, katakana (+ extensions), CJK ideographs (ext. A,
# unified, compatibility), half/full-width forms, CJK extensions B-F.
_CJK_RANGES = (
    (0x3000, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F),
)  # fmt: skip


# ----------------------------------------------------------------- pure helpers


def has_cjk(text: str) -> bool:
    """True when ``text`` holds a Japanese character (kana, CJK ideograph or CJK punctuation).

    Such runs need the East Asian font (``a:ea``) to render.

    >>> has_cjk("「地上デジタル放送日本方式」")
    True
    >>> has_cjk("Chính phủ điện tử")
    False
    """
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in _CJK_RANGES)


def char_width_em(ch: str) -> float:
    """Estimated advance width of one character, in em.

    Wide and full-width characters (East Asian width W/F) are 1.0 em, combining
    marks and format characters 0, everything else :data:`LATIN_EM` (0.55).

    >>> char_width_em("日"), char_width_em("a"), char_width_em("\\u0301")
    (1.0, 0.55, 0.0)
    """
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return CJK_EM
    return LATIN_EM


def _tokens(line: str) -> list[tuple[str, bool]]:
    """Split a line into break units: (token, is_space). CJK chars stand alone."""
    out: list[tuple[str, bool]] = []
    word: list[str] = []
    for ch in line:
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        if ch.isspace() or wide:
            if word:
                out.append(("".join(word), False))
                word = []
            out.append((ch, ch.isspace()))
        else:
            word.append(ch)
    if word:
        out.append(("".join(word), False))
    return out


def wrapped_line_count(text: str, width_em: float) -> int:
    """Number of lines ``text`` wraps to in a box ``width_em`` em wide.

    Greedy model: Latin words break only at spaces (a word longer than the line
    is cut by characters), CJK characters may break anywhere, spaces hang at
    the line end, ``"\\n"`` forces a break. An empty text takes one line.

    >>> wrapped_line_count("地上デジタル放送日本方式", 5.0)
    3
    >>> wrapped_line_count("Chính phủ điện tử", 5.0)
    2

    Raises:
        ValueError: ``width_em`` is not positive.
    """
    if width_em <= 0:
        raise ValueError(f"width_em must be positive, got {width_em}")
    lines = 0
    for line in unicodedata.normalize("NFC", text).split("\n"):
        lines += 1
        x = 0.0
        for token, is_space in _tokens(line):
            w = sum(char_width_em(ch) for ch in token)
            if is_space or x + w <= width_em + 1e-9:
                x += w
                continue
            if x > 0:
                lines += 1
                x = 0.0
            if w <= width_em:
                x = w
                continue
            for ch in token:  # a word wider than the line: cut it by characters
                cw = char_width_em(ch)
                if x > 0 and x + cw > width_em + 1e-9:
                    lines += 1
                    x = 0.0
                x += cw
    return lines


def required_height_emu(
    paragraphs: Sequence[str], width_emu: int, pt: float, *,
    indents_emu: Sequence[int] | None = None, para_space_em: float = 0.0,
) -> int:  # fmt: skip
    """Height in EMU the paragraphs need at ``pt`` points in a box ``width_emu`` wide.

    Each paragraph ``i`` is narrowed by ``indents_emu[i]`` (its left margin);
    lines are :data:`LINE_HEIGHT_EM` em apart and every paragraph adds
    ``para_space_em`` em before it.

    >>> required_height_emu(["日本"], 914400, 10.0)  # one line of 10 pt = 12 pt
    152400

    Raises:
        ValueError: a paragraph's width after its indent is not positive.
    """
    em_emu = pt * EMU_PER_PT
    indents = list(indents_emu) if indents_emu is not None else [0] * len(paragraphs)
    lines = 0
    for text, indent in zip(paragraphs, indents, strict=True):
        if width_emu - indent <= 0:
            raise ValueError(f"box width {width_emu} EMU leaves no room after indent {indent} EMU")
        lines += wrapped_line_count(text, (width_emu - indent) / em_emu)
    return math.ceil(em_emu * (lines * LINE_HEIGHT_EM + len(paragraphs) * para_space_em))


def fit_font_size(
    paragraphs: list[str], box_width_emu: int, box_height_emu: int, max_pt: float, min_pt: float,
    *, indents_emu: Sequence[int] | None = None, para_space_em: float = 0.0,
) -> float:  # fmt: skip
    """Largest font size, in 0.5 pt steps from ``max_pt`` down, at which the text fits.

    Args:
        paragraphs: paragraph texts (``"\\n"`` is a forced line break).
        box_width_emu / box_height_emu: the text area in EMU, insets already
            subtracted.
        max_pt / min_pt: the size range in pt.
        indents_emu / para_space_em: see :func:`required_height_emu`.

    Returns:
        The size in pt; ``min_pt`` when even that does not fit (check with
        :func:`required_height_emu`).

    Model and limits: widths come from :func:`char_width_em` (CJK 1.0 em,
    Latin 0.55 em on average, so runs of capitals or bold text are
    underestimated), breaking as in :func:`wrapped_line_count` with no kinsoku
    rules, lines 1.2 em apart. No font files are read, unlike
    python-pptx's ``fit_text``.

    >>> fit_font_size(["地上デジタル放送日本方式"], 914400, 457200, max_pt=18, min_pt=8)
    12.0

    Raises:
        ValueError: ``min_pt`` is not positive or exceeds ``max_pt``.
    """
    fit = {"indents_emu": indents_emu, "para_space_em": para_space_em}
    for pt in _sizes(max_pt, min_pt):
        if required_height_emu(paragraphs, box_width_emu, pt, **fit) <= box_height_emu:
            return pt
    return min_pt


def _sizes(max_pt: float, min_pt: float) -> list[float]:
    """Candidate sizes from ``max_pt`` down to ``min_pt`` in 0.5 pt steps."""
    if not 0 < min_pt <= max_pt:
        raise ValueError(f"need 0 < min_pt <= max_pt, got min_pt={min_pt}, max_pt={max_pt}")
    return [max_pt - 0.5 * step for step in range(int((max_pt - min_pt) * 2) + 1)]


def column_widths_emu(rows: Sequence[Sequence[str]], total_width_emu: int) -> list[int]:
    """Split ``total_width_emu`` over the columns, weighted by sqrt of the longest cell.

    The widths (EMU) sum exactly to ``total_width_emu``.

    >>> column_widths_emu([("国", "説明")], 1000)
    [414, 586]
    """
    n_cols = max(len(r) for r in rows)
    longest = [0.0] * n_cols
    for row in rows:
        for c, text in enumerate(row):
            longest[c] = max(longest[c], sum(char_width_em(ch) for ch in text))
    weights = [math.sqrt(max(1.0, w)) for w in longest]
    widths = [int(total_width_emu * w / sum(weights)) for w in weights]
    widths[-1] += total_width_emu - sum(widths)
    return widths


def table_row_heights_emu(
    rows: Sequence[Sequence[str]], col_widths_emu: Sequence[int], pt: float
) -> list[int]:
    """Height in EMU each row needs at ``pt``: its tallest cell plus the cell insets."""
    heights = []
    for row in rows:
        tallest = max(
            required_height_emu([text], width - CELL_MARGIN_X_EMU, pt)
            for text, width in zip(row, col_widths_emu, strict=False)
        )
        heights.append(tallest + CELL_MARGIN_Y_EMU)
    return heights


def fit_table_font_size(
    rows: Sequence[Sequence[str]], col_widths_emu: Sequence[int], box_height_emu: int,
    max_pt: float, min_pt: float,
) -> float:  # fmt: skip
    """Largest size (pt, 0.5 pt steps) at which all rows fit in ``box_height_emu``, else min_pt."""
    for pt in _sizes(max_pt, min_pt):
        if sum(table_row_heights_emu(rows, col_widths_emu, pt)) <= box_height_emu:
            return pt
    return min_pt
