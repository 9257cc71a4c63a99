"""Closed vocabularies: languages, countries, sectors, regions.

Languages are parsed once into ``babel.Locale`` at the boundary. Countries are
ISO 3166-1 alpha-2 codes known to CLDR. Sectors and regions are data files in
``corpus/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale

from pitchgen.errors import CorpusError, UnknownValueError
from pitchgen.records import LANGS, Lang

LOCALE_IDS: dict[str, str] = {"ja": "ja_JP", "vi": "vi_VN", "es": "es_ES", "en": "en_US", "pt": "pt_BR"}
"""Output language -> CLDR locale used for formatting (pt means pt-BR)."""

# CLDR codes that are not countries (EU, UN, unknown, pseudo-regions).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}


def parse_lang(value: str) -> Lang:
    """Validate an output/query language code.

    Raises:
        UnknownValueError: not one of ja, vi, es, en, pt (exit code 2).

    >>> parse_lang("vi")
    'vi'
    """
    v = (value or "").strip().lower()
    if v not in LANGS:
        raise UnknownValueError("language", value, LANGS)
    return v  # type: ignore[return-value]


def parse_output_lang(value: str) -> tuple[Lang, str | None]:
    """An output language with an optional Portuguese variant: ``pt-PT``/``pt_PT`` or ``pt-BR``.

    Returns ``(lang, variant)``; ``variant`` is ``"pt_PT"`` or ``"pt_BR"`` for a Portuguese
    variant given explicitly, else None (plain ``pt`` means pt-BR).

    Raises:
        UnknownValueError: not one of ja, vi, es, en, pt, pt-BR, pt-PT (exit code 2).

    >>> parse_output_lang("pt-PT"), parse_output_lang("vi"), parse_output_lang("pt_br")
    (('pt', 'pt_PT'), ('vi', None), ('pt', 'pt_BR'))
    """
    v = (value or "").strip().replace("-", "_").lower()
    if v in ("pt_pt", "pt_br"):
        return "pt", "pt_" + v[3:].upper()
    try:
        return parse_lang(v), None
    except UnknownValueError:
        raise UnknownValueError("language", value, (*LANGS, "pt-BR", "pt-PT")) from None


@lru_cache(maxsize=None)
def locale_for(lang: Lang) -> Locale:
    """The babel Locale used to format text in ``lang`` (parsed once).

    >>> str(locale_for("pt"))
    'pt_BR'
    """
    return Locale.parse(LOCALE_IDS[lang])


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes CLDR names (about 250)."""
    return frozenset(c for c in Locale("en").territories if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


def parse_country(value: str) -> str:
    """Validate an ISO 3166-1 alpha-2 code (case-insensitive).

    Raises:
        UnknownValueError: not a CLDR country code; lists the valid codes.

    >>> parse_country("vn")
    'VN'
    """
    v = (value or "").strip().upper()
    if v not in country_codes():
        raise UnknownValueError("country", value, country_codes())
    return v


def country_name(code: str, lang: Lang) -> str:
    """Country name in ``lang`` from CLDR.

    >>> country_name("VN", "vi"), country_name("PE", "es"), country_name("VN", "ja")
    ('Việt Nam', 'Perú', 'ベトナム')
    """
    return locale_for(lang).territories.get(code, code)


def language_name(code: str, lang: Lang) -> str:
    """Name of language ``code`` in ``lang`` from CLDR.

    >>> language_name("en", "vi"), language_name("en", "es")
    ('Tiếng Anh', 'inglés')
    """
    return locale_for(lang).languages.get(code, code)


@dataclass(frozen=True)
class Sector:
    """One sector of the controlled vocabulary.

    Attributes:
        slug: e.g. ``"disaster_prevention"``.
        names: language -> display name.
        query_ja: Japanese retrieval queries for this sector.
        keywords_ja: Japanese keywords that assign karte rows/cases to it.
        note: what the slug covers.
    """

    slug: str
    names: dict[str, str]
    query_ja: tuple[str, ...]
    keywords_ja: tuple[str, ...]
    note: str = ""

    def matches(self, text: str) -> bool:
        """True if ``text`` contains one of the sector's Japanese keywords."""
        return any(k in text for k in self.keywords_ja)


@dataclass(frozen=True)
class Region:
    """A region: code, display names, member ISO2 codes."""

    code: str
    names: dict[str, str]
    members: frozenset[str]


class Vocabulary:
    """Sectors and regions loaded from ``corpus/sectors.yaml`` and ``corpus/regions.yaml``.

    Raises:
        CorpusError: a file is missing or a sector lacks a name in one language.
    """

    def __init__(self, corpus_dir: str | Path) -> None:
        corpus_dir = Path(corpus_dir)
        self.sectors = self._load_sectors(corpus_dir / "sectors.yaml")
        self.regions = self._load_regions(corpus_dir / "regions.yaml")

    @staticmethod
    def _read(path: Path) -> dict:
        if not path.is_file():
            raise CorpusError("vocabulary file missing", path=path, fix="restore it from git")
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}

    def _load_sectors(self, path: Path) -> dict[str, Sector]:
        out: dict[str, Sector] = {}
        for slug, s in (self._read(path).get("sectors") or {}).items():
            missing = [lg for lg in LANGS if lg not in (s.get("names") or {})]
            if missing:
                raise CorpusError(f"sector {slug!r} has no name in {missing}", path=path, fix="add names for every language")
            out[slug] = Sector(
                slug=slug,
                names=dict(s["names"]),
                query_ja=tuple(s.get("query_ja") or ()),
                keywords_ja=tuple(s.get("keywords_ja") or ()),
                note=s.get("note", ""),
            )
        return out

    def _load_regions(self, path: Path) -> dict[str, Region]:
        return {
            code: Region(code=code, names=dict(r["names"]), members=frozenset(r["members"]))
            for code, r in (self._read(path).get("regions") or {}).items()
        }

    def sector(self, slug: str) -> Sector:
        """Look a sector up. Raises UnknownValueError listing the valid slugs."""
        s = (slug or "").strip().lower()
        if s not in self.sectors:
            raise UnknownValueError("sector", slug, self.sectors)
        return self.sectors[s]

    def region_of(self, country: str) -> Region | None:
        """The region a country belongs to, or None."""
        for r in self.regions.values():
            if country in r.members:
                return r
        return None
