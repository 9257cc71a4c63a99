"""Yen amounts and percentages in the partner's own form (babel/CLDR number formatting).

Japanese sources count money in 万 (1e4), 億 (1e8) and 兆 (1e12); partner
languages count in thousands, millions and billions, with their own scale
words and separators (CLDR symbols of vi_VN, es_ES, pt_BR, en_US):

* vi: 2 tỷ yên, 500 triệu yên (tỷ = 1e9, triệu = 1e6);
* es: 2.000 millones de yenes (Spanish press style keeps "millones" up to 1e12);
* pt: 2 bilhões de ienes, 500 milhões de ienes (pt-BR short scale);
* en: 2 billion yen, 500 million yen;
* ja: 20億円, 5億円 (kept in 億/万).

The original Japanese amount goes to the notes, so a reviewer can compare.
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from pitchgen.records import Lang
from pitchgen.vocab import locale_for

_SCALES: dict[str, list[tuple[float, str]]] = {
    "vi": [(1e12, "nghìn tỷ yên"), (1e9, "tỷ yên"), (1e6, "triệu yên")],
    "es": [(1e12, "billones de yenes"), (1e6, "millones de yenes")],
    "pt": [(1e12, "trilhões de ienes"), (1e9, "bilhões de ienes"), (1e6, "milhões de ienes")],
    "en": [(1e12, "trillion yen"), (1e9, "billion yen"), (1e6, "million yen")],
}
_SINGULAR = {"millones de yenes": "millón de yenes", "bilhões de ienes": "bilhão de ienes", "milhões de ienes": "milhão de ienes",
             "trilhões de ienes": "trilhão de ienes", "billones de yenes": "billón de yenes"}
_UNITS = {"vi": "yên", "es": "yenes", "pt": "ienes", "en": "yen"}


def format_yen(amount_yen: float, lang: Lang) -> str:
    """An amount in yen in the partner's words and separators.

    Args:
        amount_yen: the amount in yen (e.g. 20億円 = 2e9).
        lang: output language.

    >>> [format_yen(2e9, lg) for lg in ("vi", "es", "pt", "en", "ja")]
    ['2 tỷ yên', '2.000 millones de yenes', '2 bilhões de ienes', '2 billion yen', '20億円']
    >>> format_yen(1.029e11, "es"), format_yen(5e8, "vi"), format_yen(1e6, "es")
    ('102.900 millones de yenes', '500 triệu yên', '1 millón de yenes')
    """
    if lang == "ja":
        if amount_yen >= 1e12:
            return f"{format_decimal(amount_yen / 1e12, locale=locale_for('ja'))}兆円"
        if amount_yen >= 1e8:
            return f"{format_decimal(amount_yen / 1e8, locale=locale_for('ja'))}億円"
        return f"{format_decimal(amount_yen / 1e4, locale=locale_for('ja'))}万円"
    for factor, words in _SCALES[lang]:
        if amount_yen >= factor:
            n = amount_yen / factor
            text = format_decimal(n, format="#,##0.###", locale=locale_for(lang))
            return f"{text} {_SINGULAR.get(words, words) if n == 1 else words}"
    return f"{format_decimal(amount_yen, locale=locale_for(lang))} {_UNITS[lang]}"


def format_share(ratio: float, lang: Lang) -> str:
    """A share (0.2 = 20 %) with the locale's percent pattern.

    >>> format_share(0.2, "vi"), format_share(0.2, "es"), format_share(0.637, "en")
    ('20%', '20\\xa0%', '64%')
    """
    return format_percent(ratio, locale=locale_for(lang))
