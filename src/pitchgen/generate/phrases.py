"""Localized fixed text (gettext catalogs in ``locales/``) and locale formatting of dates.

Every fixed text (slide titles, labels, event phrases, template sentences) is a
gettext message managed with babel, domain ``pitchgen``:

* the English source is :mod:`pitchgen.generate.messages`, one
  ``pgettext(key, english)`` per message (``npgettext`` for counted ones);
* the translations are ``locales/<locale>/LC_MESSAGES/pitchgen.po``, compiled
  to ``pitchgen.mo`` next to them by ``pybabel compile -d locales -D pitchgen``
  (``locales/README.md``). A fresh checkout without ``.mo`` files works: the
  ``.po`` file is read instead, and also when it is newer than the ``.mo``.

Output languages map to catalog locales through :data:`CATALOG_LOCALES`
(``pt`` is ``pt_BR`` unless ``Phrases(..., pt_variant="pt_PT")``). A message a
catalog does not translate falls back to :data:`FALLBACK_LOCALE`, then to the
English source text; :meth:`Phrases.missing` lists such keys.

Dates are formatted with babel/CLDR for the output locale (parsed once in
:func:`pitchgen.vocab.locale_for`). Japanese fiscal years (年度) are never
shown as calendar years: they get the locale's fiscal-year wording.
"""

from __future__ import annotations

import datetime
import gettext
import io
from pathlib import Path
from typing import Literal

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from pitchgen.errors import LocaleError, TemplateError
from pitchgen.generate.messages import MESSAGES, PLURALS
from pitchgen.records import LANGS, Lang
from pitchgen.vocab import locale_for

DOMAIN = "pitchgen"
"""gettext domain: catalogs are ``<locales>/<locale>/LC_MESSAGES/pitchgen.{po,mo}``."""

PtVariant = Literal["pt_BR", "pt_PT"]
PT_VARIANTS: tuple[PtVariant, ...] = ("pt_BR", "pt_PT")

CATALOG_LOCALES: dict[Lang, str] = {"ja": "ja", "vi": "vi", "es": "es", "en": "en", "pt": "pt_BR"}
"""Output language -> catalog locale (``pt`` is replaced by the ``pt_variant`` of :class:`Phrases`)."""

FALLBACK_LOCALE = "en"
"""Catalog consulted when a locale lacks a translation; after it, the English source text."""

LABEL_NAMES: tuple[str, ...] = (
    "summary", "logframe", "output", "outcome", "impact", "sdg_target", "indicator", "evidence",
    "references", "lines_label", "generated_label", "unverified", "scope_note",
)
"""Keys of :meth:`Phrases.labels`; each is the message ``labels.<name>``."""

_PLURAL_PROBES = range(112)
"""Counts probed to see every plural form of a catalog: 0..111 reaches each branch of the
gettext ``Plural-Forms`` expressions babel ships (they test n, n%10 and n%100)."""


def resolve_locales_dir(path: str | Path) -> Path:
    """The catalog folder for ``path``: itself, or ``<root>/locales`` for the old ``<root>/templates/phrases.yaml``.

    Callers written for the YAML era keep working unchanged.

    >>> resolve_locales_dir("templates/phrases.yaml").as_posix(), resolve_locales_dir("locales").as_posix()
    ('locales', 'locales')
    """
    p = Path(path)
    return p.parent.parent / "locales" if p.name == "phrases.yaml" else p


def catalog_file(locales_dir: Path, locale: str) -> Path | None:
    """The file to load for ``locale``: ``pitchgen.mo`` if present and not older than ``pitchgen.po``, else the ``.po``.

    Returns None when the locale has neither file.
    """
    folder = locales_dir / locale / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        return mo
    return po if po.is_file() else None


def load_translations(path: Path, locale: str) -> Translations:
    """A gettext catalog from a ``.mo`` file, or from a ``.po`` file compiled in memory.

    Fuzzy and empty entries of a ``.po`` are left out, as ``pybabel compile`` does; so is a
    counted entry with any empty form (``pybabel compile`` would silently put the English
    source text in its place), which makes it missing and lets it fall back like the others.

    Raises:
        TemplateError: the file cannot be parsed.
    """
    try:
        if path.suffix == ".po":
            with path.open("rb") as f:
                catalog = read_po(f, locale=locale, domain=DOMAIN)
            for message in list(catalog):
                if message.id and message.pluralizable and not all(message.string):
                    catalog.delete(message.id, context=message.context)
            buf = io.BytesIO()
            write_mo(buf, catalog)
            buf.seek(0)
            return Translations(buf, domain=DOMAIN)
        with path.open("rb") as f:
            return Translations(f, domain=DOMAIN)
    except (OSError, ValueError, SyntaxError) as exc:
        raise TemplateError(f"unreadable catalog: {exc}", path=path,
                            fix="fix the file (pybabel update, locales/README.md) or delete a stale .mo") from exc


class _Untranslated(gettext.NullTranslations):
    """Last fallback of every loaded catalog: answers None so that a miss is visible."""

    def pgettext(self, context, message):  # noqa: D102
        return None

    def npgettext(self, context, msgid1, msgid2, n):  # noqa: D102
        return None


class Phrases:
    """Fixed text per language, read from the gettext catalogs in ``locales/``.

    Args:
        path: the ``locales`` folder, or the former ``templates/phrases.yaml``
            (then ``<root>/locales`` is used; that file need not exist).
        pt_variant: catalog used for ``pt``: ``"pt_BR"`` (default) or ``"pt_PT"``.

    Construction only checks its arguments; catalogs load on first use (or
    all at once with :meth:`warm_up`).

    Raises:
        LocaleError: ``pt_variant`` is not one of :data:`PT_VARIANTS`.
        TemplateError: the catalog folder is missing.

    >>> p = Phrases("locales")
    >>> p.get("ja", "scope.partner", country="ベトナム", n=3)
    'ベトナムの事例：3件'
    >>> p.get("en", "scope.partner", country="Viet Nam", n=1), p.get("es", "scope.partner", country="Perú", n=3)
    ('1 case in Viet Nam', '3 casos en Perú')
    """

    def __init__(self, path: str | Path, pt_variant: PtVariant = "pt_BR") -> None:
        if pt_variant not in PT_VARIANTS:
            raise LocaleError(f"unknown Portuguese variant {pt_variant!r}. Valid values: {', '.join(PT_VARIANTS)}",
                              fix="pass pt_variant='pt_BR' or 'pt_PT'")
        self.locales_dir = resolve_locales_dir(path)
        if not self.locales_dir.is_dir():
            raise TemplateError("gettext catalog folder missing", path=self.locales_dir,
                                fix="restore locales/ (see locales/README.md)")
        self.pt_variant: PtVariant = pt_variant
        self._catalogs: dict[str, Translations] = {}

    def warm_up(self) -> None:
        """Load the catalog of every output language and the fallback now (idempotent).

        Raises:
            TemplateError: a catalog is missing or unreadable.
        """
        for lang in LANGS:
            self._catalog(self.locale(lang))
        self._catalog(FALLBACK_LOCALE)

    def locale(self, lang: Lang) -> str:
        """Catalog locale of an output language, e.g. ``"pt_BR"`` for ``"pt"``.

        Raises:
            LocaleError: ``lang`` is not one of :data:`pitchgen.records.LANGS`.
        """
        if lang not in CATALOG_LOCALES:
            raise LocaleError(f"unknown language {lang!r}. Valid values: {', '.join(LANGS)}",
                              fix="pass a language parsed by pitchgen.vocab.parse_lang")
        return self.pt_variant if lang == "pt" else CATALOG_LOCALES[lang]

    def get(self, lang: Lang, key: str, **values: object) -> str:
        """The phrase ``key`` in ``lang`` with ``{placeholders}`` filled by :meth:`str.format`.

        Counted messages (:data:`pitchgen.generate.messages.PLURALS`) pick their
        plural form from the integer ``n`` in ``values``; an integer ``n`` is shown with
        the locale's digit grouping (CLDR). Without ``values`` the text is returned unformatted.

        Raises:
            LocaleError: unknown key or language, or a counted message without an integer ``n``.
        """
        if key not in MESSAGES:
            raise LocaleError(f"no phrase {key!r}",
                              fix=f"add pgettext({key!r}, <English text>) to src/pitchgen/generate/messages.py "
                                  "and update the catalogs (locales/README.md)")
        n = values.get("n")
        if key in PLURALS and (not isinstance(n, int) or isinstance(n, bool)):
            raise LocaleError(f"phrase {key!r} is counted and needs an integer n, got {n!r}",
                              fix=f"call get(lang, {key!r}, n=<count>, ...)")
        locale = self.locale(lang)
        text = self._lookup(locale, key, n)
        if text is None and locale != FALLBACK_LOCALE:
            text = self._lookup(FALLBACK_LOCALE, key, n)
        if text is None:
            text = (PLURALS[key][0] if n == 1 else PLURALS[key][1]) if key in PLURALS else MESSAGES[key]
        if isinstance(n, int) and not isinstance(n, bool):
            values = {**values, "n": format_decimal(n, locale=locale_for(lang))}  # 12.000 personas, 12,000 people
        return text.format(**values) if values else text

    def labels(self, lang: Lang) -> dict[str, str]:
        """Brief labels for the DOCX renderer: :data:`LABEL_NAMES` -> text."""
        return {name: self.get(lang, f"labels.{name}") for name in LABEL_NAMES}

    def missing(self, lang: Lang) -> tuple[str, ...]:
        """Keys the catalog of ``lang`` does not translate (they fall back to English), in source order.

        A counted message is missing if any of its plural forms is. (A ``.mo`` built by
        ``pybabel compile`` already holds the English source text in place of an empty plural
        form, so such a gap is only seen while the ``.po`` is read.)

        Raises:
            LocaleError: unknown language.
            TemplateError: the catalog is missing or unreadable.
        """
        locale = self.locale(lang)
        return tuple(k for k in MESSAGES
                     if any(self._lookup(locale, k, n) is None for n in (_PLURAL_PROBES if k in PLURALS else (None,))))

    def _lookup(self, locale: str, key: str, n: object) -> str | None:
        """The catalog's translation, or None if it has none (empty counts as none)."""
        cat = self._catalog(locale)
        if key in PLURALS:
            text = cat.npgettext(key, *PLURALS[key], n)
        else:
            text = cat.pgettext(key, MESSAGES[key])
        return text or None

    def _catalog(self, locale: str) -> Translations:
        if locale not in self._catalogs:
            path = catalog_file(self.locales_dir, locale)
            if path is None:
                raise TemplateError(f"no catalog for locale {locale}",
                                    path=self.locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po",
                                    fix=f"pybabel init -i locales/pitchgen.pot -d locales -D {DOMAIN} -l {locale}")
            cat = load_translations(path, locale)
            cat.add_fallback(_Untranslated())
            self._catalogs[locale] = cat
        return self._catalogs[locale]


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

    >>> p = Phrases("locales")
    >>> format_event_date(p, "es", 2018, None, None, True)
    'año fiscal 2018'
    >>> format_event_date(p, "vi", 2019, None, 2020, False)
    '2019–2020'
    >>> format_event_date(p, "ja", 2018, None, 2019, True)
    '2018年度～2019年度'
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
