"""Multilingual glossary of domain terms, used for query translation and terminology.

Data: ``corpus/glossary/terms.yaml`` (terms with ja/en/vi/es/pt forms) and
``corpus/glossary/countries.yaml`` (countries named in the corpus, with
Japanese variants; names in other languages come from CLDR through babel).
The first form in each list is the preferred one.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path


from pitchgen.errors import CorpusError
from pitchgen.yamlio import load_yaml
from pitchgen.records import LANGS, Lang
from pitchgen.vocab import country_codes, country_name


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Attributes:
        term_id: stable id, e.g. ``"isdb_t"`` or ``"country:PE"``.
        category: sector, system, organisation, stage, financing, country, concept.
        forms: language -> forms, preferred first.
    """

    term_id: str
    category: str
    forms: dict[str, tuple[str, ...]]

    def preferred(self, lang: Lang) -> str | None:
        """Preferred form in ``lang``, or None if the glossary has none."""
        f = self.forms.get(lang) or ()
        return f[0] if f else None


def _fold(text: str) -> str:
    """NFKC, curly apostrophe to straight, casefold, then accents stripped char by char.

    Stripping keeps the length, so match positions stay valid; it lets a user
    type "Peru" or "chinh phu dien tu" and still match "Perú", "Chính phủ điện tử".

    >>> _fold("Chính phủ điện tử"), _fold("Côte d’Ivoire")
    ('chinh phu dien tu', "cote d'ivoire")
    """
    t = unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold()
    return "".join(unicodedata.normalize("NFD", ch)[0] if ord(ch) < 0x3000 else ch for ch in t).replace("đ", "d")


fold_text = _fold
"""Public name of the glossary's accent and case folding (offsets of :meth:`Glossary.matches` are in this text)."""


def _plain(text: str) -> str:
    """NFKC, straight apostrophe, casefold; accents kept."""
    return unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold()


def _plain_strip(text: str) -> str:
    return "".join(unicodedata.normalize("NFD", ch)[0] if ord(ch) < 0x3000 else ch for ch in text).replace("đ", "d")


def _is_acronym(form: str) -> bool:
    """An all-capital Latin form of 2-6 letters (ITS, AU, MIC, JICA).

    >>> _is_acronym("ITS"), _is_acronym("Perú"), _is_acronym("ISDB-T")
    (True, False, False)
    """
    return 2 <= len(form) <= 6 and form.isascii() and form.isalpha() and form.isupper()


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() and ch.isascii() or unicodedata.category(ch).startswith("L") and ord(ch) < 0x3000


@dataclass(frozen=True)
class FormMatch:
    """One place where a glossary form occurs (:meth:`Glossary.matches`).

    Attributes:
        term: the glossary term.
        form: the form as listed (``term.forms[lang][rank]``); rank 0 is the preferred form.
        rank: position of the form in its language's list.
        start / end: offsets in the NFKC, casefolded text (a plural ``s``/``es`` included in ``end``).
    """

    term: Term
    form: str
    rank: int
    start: int
    end: int

    @property
    def term_id(self) -> str:
        """The term's id."""
        return self.term.term_id


class Glossary:
    """Loaded glossary with longest-match lookup.

    Raises:
        CorpusError: a file is missing, malformed, or has duplicate ids
            (the message names the file and the entry).
    """

    def __init__(self, glossary_dir: str | Path) -> None:
        self.dir = Path(glossary_dir)
        self.terms: dict[str, Term] = {}
        self._countries_ja: dict[str, str] = {}
        self._load_terms(self.dir / "terms.yaml")
        self._load_countries(self.dir / "countries.yaml")
        # (folded form, lang, term, plain form or "\0"+acronym, rank, form) sorted longest first for greedy matching
        self._index: list[tuple[str, str, Term, str, int, str]] = sorted(
            ((_fold(f), lang, t, _plain(f) if not _is_acronym(f) else "\0" + f, rank, f) for t in self.terms.values()
             for lang, fs in t.forms.items() for rank, f in enumerate(fs) if f.strip()),
            key=lambda x: -len(x[0]),
        )

    def _read(self, path: Path) -> dict:
        return load_yaml(path)[0]

    def _add(self, term: Term, path: Path) -> None:
        if term.term_id in self.terms:
            raise CorpusError(f"duplicate glossary id {term.term_id!r}", path=path, fix="give every term a unique id")
        self.terms[term.term_id] = term

    def _load_terms(self, path: Path) -> None:
        for i, e in enumerate(self._read(path).get("terms") or [], start=1):
            if not isinstance(e, dict) or "id" not in e or not e.get("ja"):
                raise CorpusError(f"term #{i} needs an id and a ja form", path=path, fix="add 'id:' and 'ja: [...]'")
            forms = {lang: tuple(str(x) for x in (e.get(lang) or ())) for lang in LANGS}
            self._add(Term(term_id=str(e["id"]), category=str(e.get("category", "concept")), forms=forms), path)

    def _load_countries(self, path: Path) -> None:
        valid = country_codes()
        for i, e in enumerate(self._read(path).get("countries") or [], start=1):
            code = str(e.get("code", ""))
            ja = tuple(str(x) for x in (e.get("ja") or ()))
            if not ja:
                raise CorpusError(f"country #{i} ({code}) has no ja names", path=path, fix="add 'ja: [...]'")
            if code.startswith("region:"):
                forms = {lang: tuple(str(x) for x in (e.get(lang) or ())) for lang in LANGS if lang != "ja"}
            elif code in valid:
                forms = {lang: (country_name(code, lang),) + tuple(str(x) for x in (e.get(lang) or ())) for lang in LANGS if lang != "ja"}
                for name in ja:
                    if len(name) > 1:  # 米, 越, 独 ... also occur inside other words (中南米, 越境, 単独)
                        self._countries_ja[name] = code
            else:
                raise CorpusError(f"country #{i} has unknown code {code!r}", path=path, fix="use an ISO 3166-1 alpha-2 code or region:NAME")
            forms["ja"] = ja
            self._add(Term(term_id=f"country:{code}", category="country", forms=forms), path)

    @property
    def countries_ja(self) -> dict[str, str]:
        """Japanese country name -> ISO2 (e.g. ``ベトナム`` -> ``VN``).

        One-character abbreviations (越, 米) are left out: they occur inside
        unrelated words (越境, 中南米).
        """
        return dict(self._countries_ja)

    def content_hash(self) -> str:
        """SHA-256 of the glossary files (for index manifests)."""
        h = hashlib.sha256()
        for name in ("terms.yaml", "countries.yaml"):
            h.update((self.dir / name).read_bytes())
        return h.hexdigest()

    def find(self, text: str, lang: Lang) -> list[Term]:
        """Terms whose ``lang`` forms occur in ``text`` (longest match first, no overlaps).

        Latin-script forms must match whole words; Japanese forms match anywhere.
        """
        found: list[Term] = []
        for m in self.matches(text, lang):
            if m.term not in found:
                found.append(m.term)
        return found

    def matches(self, text: str, lang: Lang, every: bool = False) -> list[FormMatch]:
        """Where ``lang`` forms occur in ``text``: longest form first, no overlaps, in form order.

        Latin-script forms match whole words with an optional plural ``s``/``es``; accents
        written in the text must agree with the form's; acronyms match as written ("ITS",
        not "its"); country names must be capitalised; Japanese forms match anywhere.
        Offsets are in the NFKC, casefolded text.

        Args:
            text: any text.
            lang: language of the forms to look for.
            every: every occurrence of each form; by default only its first acceptable one
                (what :meth:`find` needs).
        """
        folded = _fold(text)
        plain = _plain(text)
        original = unicodedata.normalize("NFKC", text)
        aligned = len(plain) == len(folded)
        taken = [False] * len(folded)
        out: list[FormMatch] = []
        for form, flang, term, plain_form, rank, raw in self._index:
            if flang != lang:
                continue
            start = folded.find(form)
            while start != -1:
                end = start + len(form)
                ok = not any(taken[start:end])
                if ok and lang != "ja":
                    before = folded[start - 1] if start else " "
                    # a plural ending is part of the word: "cables", "centers", "redes"
                    for suffix in ("es", "s", ""):
                        if folded.startswith(suffix, end) and (end + len(suffix) == len(folded) or not _is_word_char(folded[end + len(suffix)])):
                            end += len(suffix)
                            break
                    after = folded[end] if end < len(folded) else " "
                    ok = not _is_word_char(before) and not _is_word_char(after)
                if ok and lang != "ja" and aligned and plain_form.startswith("\0"):
                    # acronyms match as written: "ITS" the system, not "its"
                    ok = original[start:start + len(form)] == plain_form[1:]
                elif ok and lang != "ja" and aligned:
                    # accents typed by the user must agree: "châu Âu" (Europe) is not "AU" (African Union)
                    seg = plain[start:start + len(form)]
                    ok = seg == plain_form[: len(seg)] or _plain_strip(seg) == seg
                if ok and lang != "ja" and term.category == "country":
                    # proper names are capitalised: vi "Pháp" (France) is not "giải pháp" (solution)
                    ok = len(original) == len(folded) and original[start:start + 1].isupper()
                if ok:
                    for i in range(start, end):
                        taken[i] = True
                    out.append(FormMatch(term=term, form=raw, rank=rank, start=start, end=end))
                    if not every:
                        break
                start = folded.find(form, end if ok else start + 1)
        return out

    def to_japanese(self, query: str, lang: Lang) -> str:
        """Japanese search text for a vi/es/en/pt query: the ja forms of every term found.

        For ``lang == "ja"`` the query is returned unchanged. Terms are joined
        by spaces; all ja variants are included so BM25 can match any of them.
        """
        if lang == "ja":
            return query
        parts: list[str] = []
        for term in self.find(query, lang):
            parts.extend(term.forms.get("ja") or ())
        return " ".join(dict.fromkeys(parts))

    def term_for(self, term_id: str) -> Term:
        """Look a term up by id; raises KeyError."""
        return self.terms[term_id]
