"""Yen amounts and percentages in the partner's own form (babel/CLDR number formatting).

Japanese sources count money in 万 (1e4), 億 (1e8) and 兆 (1e12); partner
languages count in thousands, millions and billions, with their own scale
words and separators (CLDR symbols of vi_VN, es_ES, pt_BR, en_US):

* vi: 2 tỷ yên, 500 triệu yên (tỷ = 1e9, triệu = 1e6);
* es: 2.000 millones de yenes (Spanish press style keeps "millones" up to 1e12);
* pt: 2 bilhões de ienes, 500 milhões de ienes (pt-BR short scale);
* en: 2 billion yen, 500 million yen;
* ja: 20億円, 5億円 (kept in 億/万).

US-dollar amounts (``百万米ドル`` in the sources) follow the same scales with
the currency said the local way (vi "triệu USD", es "millones de dólares",
pt "milhões de dólares", en "million US dollars").

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
             "trilhões de ienes": "trilhão de ienes", "billones de yenes": "billón de yenes",
             "millones de dólares": "millón de dólares", "milhões de dólares": "milhão de dólares",
             "bilhões de dólares": "bilhão de dólares"}
_UNITS = {"vi": "yên", "es": "yenes", "pt": "ienes", "en": "yen"}


def _scaled(amount: float, lang: Lang, scales: dict[str, list[tuple[float, str]]], units: dict[str, str],
            ja_scales: list[tuple[float, str]]) -> str:
    """``amount`` with the largest scale word of ``lang`` it reaches (Japanese: 兆/億/万 scales)."""
    if lang == "ja":
        factor, word = next(((f, w) for f, w in ja_scales if amount >= f), ja_scales[-1])
        return f"{format_decimal(amount / factor, locale=locale_for('ja'))}{word}"
    for factor, words in scales[lang]:
        if amount >= factor:
            n = amount / factor
            text = format_decimal(n, format="#,##0.###", locale=locale_for(lang))
            return f"{text} {_SINGULAR.get(words, words) if n == 1 else words}"
    return f"{format_decimal(amount, locale=locale_for(lang))} {units[lang]}"


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
    return _scaled(amount_yen, lang, _SCALES, _UNITS, [(1e12, "兆円"), (1e8, "億円"), (1e4, "万円")])


_USD_SCALES: dict[str, list[tuple[float, str]]] = {
    "vi": [(1e9, "tỷ USD"), (1e6, "triệu USD")],
    "es": [(1e6, "millones de dólares")],
    "pt": [(1e9, "bilhões de dólares"), (1e6, "milhões de dólares")],
    "en": [(1e9, "billion US dollars"), (1e6, "million US dollars")],
}
_USD_UNITS = {"vi": "USD", "es": "dólares", "pt": "dólares", "en": "US dollars"}

UNIT_FACTORS: dict[str, tuple[str, float]] = {
    "円": ("JPY", 1.0), "万円": ("JPY", 1e4), "億円": ("JPY", 1e8), "兆円": ("JPY", 1e12),
    "百万米ドル": ("USD", 1e6), "米ドル": ("USD", 1.0), "ドル": ("USD", 1.0),
}
"""Source unit -> (currency, factor to one unit of that currency)."""


def is_money(unit: str) -> bool:
    """Whether :func:`format_amount` can render an amount in ``unit`` (a currency unit of the sources).

    >>> is_money("億円"), is_money("百万米ドル"), is_money("台")
    (True, True, False)
    """
    return unit in UNIT_FACTORS


def format_usd(amount_usd: float, lang: Lang) -> str:
    """An amount in US dollars in the partner's words and separators.

    >>> [format_usd(4e8, lg) for lg in ("vi", "es", "pt", "en")]
    ['400 triệu USD', '400 millones de dólares', '400 milhões de dólares', '400 million US dollars']
    >>> format_usd(7.8e7, "ja")
    '7,800万ドル'
    """
    return _scaled(amount_usd, lang, _USD_SCALES, _USD_UNITS, [(1e8, "億ドル"), (1e4, "万ドル")])


def format_amount(value: float, unit: str, lang: Lang) -> str:
    """An amount as the source states it (``value`` in ``unit``) in the partner's form.

    Args:
        value: the number as written in the source (20 for 20億円).
        unit: the source unit, one of :data:`UNIT_FACTORS`.
        lang: output language.

    Raises:
        ValueError: ``unit`` is not a currency unit (see :func:`is_money`).

    >>> format_amount(20, "億円", "vi"), format_amount(1360, "億円", "es"), format_amount(86, "百万米ドル", "pt")
    ('2 tỷ yên', '136.000 millones de yenes', '86 milhões de dólares')
    """
    if unit not in UNIT_FACTORS:
        raise ValueError(f"not a currency unit: {unit!r}; known: {', '.join(UNIT_FACTORS)}")
    currency, factor = UNIT_FACTORS[unit]
    amount = value * factor
    return format_yen(amount, lang) if currency == "JPY" else format_usd(amount, lang)


def format_share(ratio: float, lang: Lang) -> str:
    """A share (0.2 = 20 %) with the locale's percent pattern.

    >>> format_share(0.2, "vi"), format_share(0.2, "es"), format_share(0.637, "en")
    ('20%', '20\\xa0%', '64%')
    """
    return format_percent(ratio, locale=locale_for(lang))
