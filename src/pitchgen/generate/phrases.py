"""Localized fixed text (``templates/phrases.yaml``) and locale formatting of dates.

Dates are formatted with babel/CLDR for the output locale (parsed once in
:func:`pitchgen.vocab.locale_for`). Japanese fiscal years (年度) are never
shown as calendar years: they get the locale's fiscal-year wording.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import yaml
from babel.dates import format_skeleton

from pitchgen.errors import LocaleError, TemplateError
from pitchgen.records import LANGS, Lang
from pitchgen.vocab import locale_for


class Phrases:
    """Fixed text per language.

    Raises:
        TemplateError: the file is missing, or a language lacks a key that
            English has (the message lists them).
    """

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if not path.is_file():
            raise TemplateError("phrase file missing", path=path, fix="restore templates/phrases.yaml")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        base = set(data.get("en", {}))
        for lang in LANGS:
            missing = base - set(data.get(lang, {}))
            if missing:
                raise TemplateError(f"language {lang} lacks {sorted(missing)}", path=path, fix="add the missing keys")
        self._data: dict[str, dict] = data

    def get(self, lang: Lang, key: str, **values: object) -> str:
        """The phrase ``key`` in ``lang`` with ``{placeholders}`` filled.

        Raises:
            LocaleError: unknown key.
        """
        try:
            text = self._data[lang][key]
        except KeyError as exc:
            raise LocaleError(f"no phrase {key!r} for {lang}", fix="add it to templates/phrases.yaml") from exc
        return str(text).format(**values) if values else str(text)

    def labels(self, lang: Lang) -> dict[str, str]:
        """Brief labels for the DOCX renderer."""
        return dict(self._data[lang]["labels"])


def format_year_month(year: int, month: int | None, lang: Lang) -> str:
    """A year or year-month in the locale's own form (CLDR skeleton ``yMMMM``).

    >>> format_year_month(2018, 8, "vi"), format_year_month(2018, 8, "es"), format_year_month(2018, None, "ja")
    ('tháng 8 năm 2018', 'agosto de 2018', '2018年')
    """
    if month is None:
        return f"{year}年" if lang == "ja" else str(year)
    return format_skeleton("yMMMM", datetime.date(year, month, 1), locale=locale_for(lang))


def format_event_date(phrases: Phrases, lang: Lang, year: int, month: int | None, year_end: int | None, fiscal: bool) -> str:
    """Date of a karte event: month, fiscal year or range, localized.

    >>> p = Phrases("templates/phrases.yaml")
    >>> format_event_date(p, "es", 2018, None, None, True)
    'año fiscal 2018'
    >>> format_event_date(p, "vi", 2019, None, 2020, False)
    '2019–2020'
    """
    if fiscal:
        start = phrases.get(lang, "date.fiscal", year=year)
    else:
        start = format_year_month(year, month, lang)
    if year_end:
        end = phrases.get(lang, "date.fiscal", year=year_end) if fiscal else (f"{year_end}年" if lang == "ja" else str(year_end))
        if lang != "ja" and not fiscal and month is None:
            start = str(year)
        return phrases.get(lang, "date.range", start=start, end=end)
    return start
