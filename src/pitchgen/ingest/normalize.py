"""Text normalisation for indexing (never for citing).

The slide-deck document was extracted from a PDF with layout noise: one
character per line, spaced digits, full-width digits. Indexing uses the
normalised text; citations always quote the original lines.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々〆ー"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}0-9])[ \t\u3000]+(?=[{_CJK}0-9])")
_SPACED_DIGITS = re.compile(r"(?<=\d)[ \u3000](?=\d)")
_MULTISPACE = re.compile(r"[ \t\u3000]+")


def normalize_text(text: str) -> str:
    """NFKC, full-width to ASCII, and spaces inside Japanese runs removed.

    Spaces between two CJK characters or digits are extraction noise in this
    corpus (Japanese is written without spaces); spaces between Latin words
    are kept.

    >>> normalize_text("２０２０年　１月 に 署名")
    '2020年1月に署名'
    >>> normalize_text("2 0 1 9 年 ISDB-T  方式")
    '2019年 ISDB-T 方式'
    """
    t = unicodedata.normalize("NFKC", text)
    t = _SPACED_DIGITS.sub("", t)
    t = _SPACE_BETWEEN_CJK.sub("", t)
    return _MULTISPACE.sub(" ", t).strip()


def join_fragment_lines(lines: list[str], max_len: int = 2) -> str:
    """Join lines into one string, gluing runs of very short lines together.

    Slide extraction splits words into one character per line
    (``デ/ジ/タ/ル``). Lines of at most ``max_len`` characters (after
    stripping) are glued to their neighbours without a separator; other lines
    are joined with a space.

    >>> join_fragment_lines(["デ", "ジ", "タ", "ル", "インフラの整備"])
    'デジタル インフラの整備'
    >>> join_fragment_lines(["総務省", "行動計画"])
    '総務省 行動計画'
    """
    out: list[str] = []
    prev_short = False
    for raw in lines:
        s = raw.strip()
        if not s:
            prev_short = False
            continue
        short = len(s) <= max_len
        if out and short and prev_short:
            out[-1] += s
        else:
            out.append(s)
        prev_short = short
    return " ".join(out)
