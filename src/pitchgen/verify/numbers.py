"""Numeric anchors: extract numbers from claims and evidence, normalised across languages.

A claim's number matches its evidence when one of the claim number's
candidate values equals one of the evidence's candidate values. Candidates
are the plain number and, when a scale word follows, the scaled value:

* Japanese (evidence): full-width digits (NFKC), ``,`` grouping, 万 (1e4),
  億 (1e8), 兆 (1e12), and era years 令和/平成/昭和 (令和2年 = 2020, 元年 = 1).
* vi/es/pt: ``.`` groups thousands and ``,`` is the decimal mark
  (CLDR for vi_VN, es_ES, pt_BR); scale words nghìn/triệu/tỷ,
  mil/millones/mil millones, mil/milhões/bilhões.
* en: ``,`` groups thousands; thousand/million/billion/trillion.

Limits: kanji numerals (二十) are not read; ``X兆Y億`` compounds give two
separate numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_JA_SCALES = {"兆": 10**12, "億": 10**8, "千万": 10**7, "百万": 10**6, "万": 10**4, "千": 10**3}
_SCALES: dict[str, list[tuple[str, int]]] = {
    # longest first
    "vi": [("nghìn tỷ", 10**12), ("ngàn tỷ", 10**12), ("tỷ", 10**9), ("triệu", 10**6), ("nghìn", 10**3), ("ngàn", 10**3)],
    "es": [("mil millones", 10**9), ("billones", 10**12), ("billón", 10**12), ("millones", 10**6), ("millón", 10**6), ("mil", 10**3)],
    "pt": [("trilhões", 10**12), ("trilhão", 10**12), ("bilhões", 10**9), ("bilhão", 10**9), ("milhões", 10**6), ("milhão", 10**6), ("mil", 10**3)],
    "en": [("trillion", 10**12), ("billion", 10**9), ("million", 10**6), ("thousand", 10**3)],
    "ja": [],
}
_DECIMAL_COMMA = {"vi", "es", "pt"}


def canon(value: float) -> float:
    """A value rounded to 10 significant digits, so 137.8 x 1e8 equals 13.78 x 1e9.

    >>> canon(137.8 * 10**8) == canon(13.78 * 10**9)
    True
    """
    return float(f"{value:.10g}")


@dataclass(frozen=True)
class NumberAnchor:
    """One number found in text.

    Attributes:
        surface: the text matched, e.g. ``"20億"`` or ``"2.000 millones"``.
        values: candidate values (plain and scaled), as floats.
    """

    surface: str
    values: frozenset[float]


def _parse_plain(num: str, lang: str) -> float | None:
    s = num.strip()
    if lang in _DECIMAL_COMMA:
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", s):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", ".")
    else:
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s):
            s = s.replace(",", "")
        elif "," in s:
            s = s.replace(",", "")
    try:
        return float(s)
    except ValueError:
        return None


def extract_numbers(text: str, lang: str = "ja") -> list[NumberAnchor]:
    """Numbers in ``text`` with their candidate values.

    >>> [sorted(a.values) for a in extract_numbers("２０億円を2018年度に", "ja")]
    [[20.0, 2000000000.0], [2018.0]]
    >>> [sorted(a.values) for a in extract_numbers("2.000 millones de yenes", "es")]
    [[2000.0, 2000000000.0]]
    >>> [sorted(a.values) for a in extract_numbers("khoảng 2 tỷ yên, tháng 8/2018", "vi")]
    [[2.0, 2000000000.0], [8.0], [2018.0]]
    >>> [sorted(a.values) for a in extract_numbers("令和2年度", "ja")]
    [[2.0, 2020.0]]
    >>> [sorted(a.values) for a in extract_numbers("令和元年6月", "ja")]
    [[1.0, 2019.0], [6.0]]
    """
    t = unicodedata.normalize("NFKC", text)
    out: list[NumberAnchor] = []
    # Japanese era years first, then blank them so the digits are not read twice
    def era(m: re.Match) -> str:
        n = 1 if m.group(2) == "元" else int(m.group(2))
        out.append(NumberAnchor(m.group(0), frozenset({float(n), float(_ERAS[m.group(1)] + n)})))
        return " " * len(m.group(0))

    t = re.sub(r"(令和|平成|昭和)(元|\d{1,2})(?=年)", era, t)
    scales = _SCALES.get(lang, [])
    scale_alt = "|".join(re.escape(w) for w, _ in scales)
    num_re = r"\d+(?:[.,]\d+)*"
    if lang == "ja":
        pattern = re.compile(rf"({num_re})\s*(兆|億|千万|百万|万|千)?")
    else:
        pattern = re.compile(rf"({num_re})(?:\s*({scale_alt})(?![\w]))?" if scale_alt else rf"({num_re})", re.IGNORECASE)
    for m in pattern.finditer(t):
        raw = m.group(1).rstrip(".,")
        if lang == "ja":
            val = _parse_plain(raw, "ja")
            scale = _JA_SCALES.get(m.group(2) or "", 1)
        else:
            val = _parse_plain(raw, lang)
            word = (m.group(2) or "").lower() if scale_alt else ""
            scale = dict((w.lower(), f) for w, f in scales).get(word, 1)
        if val is None:
            continue
        vals = {canon(val)}
        if scale != 1:
            vals.add(canon(val * scale))
        out.append(NumberAnchor(m.group(0).strip(), frozenset(vals)))
    # keep document order: era anchors were appended first
    return sorted(out, key=lambda a: text_index(t, a, text))


def text_index(normalised: str, anchor: NumberAnchor, original: str) -> int:
    """Position of an anchor in the text, for stable ordering (internal helper)."""
    i = unicodedata.normalize("NFKC", original).find(anchor.surface)
    return i if i >= 0 else len(normalised)


def unmatched_numbers(claim: str, claim_lang: str, evidence: str) -> list[str]:
    """Numbers of the claim that the evidence does not contain (surfaces).

    >>> unmatched_numbers("Capacitación de 370 personas (2019–2020)", "es", "2019年～2020年 延べ370名に研修実施")
    []
    >>> unmatched_numbers("Capacitación de 380 personas", "es", "延べ370名に研修実施")
    ['380']
    >>> unmatched_numbers("2.000 millones de yenes", "es", "20億円")
    []

    SDG goal, target and indicator ids (meta 11.5, indicadores 11.5.1) are references, not
    figures: the verifier's SDG check judges them, so they are left out here.

    >>> unmatched_numbers("Contribuye a la meta 11.5 de los ODS, indicadores 11.5.1, 11.5.2", "es", "地上デジタル放送開始")
    []
    """
    from pitchgen.verify.anchors import sdg_refs

    text = unicodedata.normalize("NFKC", claim)
    for _, a, b in sorted(sdg_refs(claim, claim_lang), key=lambda r: -r[1]):
        text = text[:a] + " " * (b - a) + text[b:]
    text = _SDG_INDICATOR.sub(lambda m: " " * len(m.group(0)), text)
    ev_values: set[float] = set()
    for a in extract_numbers(evidence, "ja"):
        ev_values |= a.values
    return [a.surface for a in extract_numbers(text, claim_lang) if not (a.values & ev_values)]


_SDG_INDICATOR = re.compile(r"(?<![\d.,])\d{1,2}\.[0-9a-c]{1,2}\.\d{1,2}(?![\d.,]?\d)")
"""An SDG indicator id such as 11.5.1 or 17.6.1."""
