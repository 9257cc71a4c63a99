"""Japanese tokenisation with fugashi over the unidic-lite dictionary.

BM25 indexes content-word lemmas (dictionary forms), so 署名した and 署名する
match. Particles, auxiliaries, symbols and whitespace are dropped; Latin
tokens are lowercased.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cached_property

_DROP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_ASCII_WORD = re.compile(r"[0-9a-z][0-9a-z.\-]*")


class JapaneseTokenizer:
    """Lemma tokenizer (fugashi + unidic-lite).

    Construction is cheap; the MeCab tagger is created on first use.

    Attributes:
        dictionary: name and version of the dictionary, recorded in index
            manifests (e.g. ``"unidic-lite 1.0.8"``).
    """

    @cached_property
    def _tagger(self):  # noqa: ANN202 - fugashi type
        import fugashi
        import unidic_lite

        return fugashi.Tagger(f"-d {unidic_lite.DICDIR}")

    @property
    def dictionary(self) -> str:
        """Dictionary id for manifests, e.g. ``"unidic-lite 1.0.8"``."""
        from importlib.metadata import version

        return f"unidic-lite {version('unidic-lite')}"

    def lemmas(self, text: str) -> list[str]:
        """Content-word lemmas of ``text`` (NFKC-normalised first).

        >>> JapaneseTokenizer().lemmas("地上デジタル放送日本方式を採用した。")
        ['地上', 'デジタル', '放送', '日本', '方式', '採用', '為る']
        >>> JapaneseTokenizer().lemmas("ISDB-T方式")
        ['isdb', 't', '方式']
        """
        text = unicodedata.normalize("NFKC", text)
        out: list[str] = []
        for word in self._tagger(text):
            feat = word.feature
            if feat.pos1 in _DROP_POS:
                continue
            surface = word.surface
            if surface.isascii():
                low = surface.lower()
                if _ASCII_WORD.fullmatch(low):
                    out.append(low)
                continue
            lemma = feat.lemma or surface
            # unidic gives 'デジタル-digital' for loanwords: keep the katakana part
            lemma = lemma.split("-", 1)[0] if "-" in lemma and not lemma.isascii() else lemma
            out.append(lemma)
        return out
