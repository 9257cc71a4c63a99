"""SDG goals, targets and indicators with official texts and visible fallbacks.

Source: ``corpus/sdg/sdg.json`` (copied from ../shared/data/sdg; provenance in
``corpus/sdg/README.upstream.md``): en/es/fr from open-sdg (UN wording,
A/RES/70/1), ja targets from the MOFA provisional translation (外務省仮訳),
no ja indicators, no vi, no pt.

Rules:

* Vietnamese goal short titles are the team's own translation and always
  come with the ``unofficial`` flag set.
* A language without an official text falls back to English, and the
  returned :class:`SdgText` says so (``fallback_lang``), so every output can
  show it.
* Known source errata are corrected here; :data:`ERRATA` lists them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pitchgen.errors import CorpusError
from pitchgen.records import Lang

ERRATA: tuple[tuple[str, str, str, str, str], ...] = (
    # (kind, id, field, wrong, right) — from the upstream README's "Known gaps"
    ("goal", "2", "title.ja", "栄誉状態", "栄養状態"),
    ("goal", "3", "title.ja", "延齢", "年齢"),
    ("goal", "2", "short.ja", "飢餓をゼロ", "飢餓をゼロに"),
)
"""Corrections applied to the source data: (kind, id, field, wrong, right)."""

VI_GOAL_SHORT_UNOFFICIAL: dict[str, str] = {
    "1": "Xóa nghèo",
    "2": "Không còn nạn đói",
    "3": "Sức khỏe và cuộc sống tốt",
    "4": "Giáo dục có chất lượng",
    "5": "Bình đẳng giới",
    "6": "Nước sạch và vệ sinh",
    "7": "Năng lượng sạch với giá hợp lý",
    "8": "Việc làm tốt và tăng trưởng kinh tế",
    "9": "Công nghiệp, đổi mới và cơ sở hạ tầng",
    "10": "Giảm bất bình đẳng",
    "11": "Thành phố và cộng đồng bền vững",
    "12": "Tiêu dùng và sản xuất có trách nhiệm",
    "13": "Hành động về khí hậu",
    "14": "Tài nguyên và môi trường biển",
    "15": "Tài nguyên và môi trường trên đất liền",
    "16": "Hòa bình, công lý và thể chế vững mạnh",
    "17": "Quan hệ đối tác vì các mục tiêu",
}
"""Vietnamese goal short titles written by the pitchgen team (not official UN text)."""

PT_GOAL_SHORT_UNOFFICIAL: dict[str, str] = {
    "1": "Erradicação da pobreza", "2": "Fome zero e agricultura sustentável", "3": "Saúde e bem-estar",
    "4": "Educação de qualidade", "5": "Igualdade de gênero", "6": "Água potável e saneamento",
    "7": "Energia limpa e acessível", "8": "Trabalho decente e crescimento econômico",
    "9": "Indústria, inovação e infraestrutura", "10": "Redução das desigualdades",
    "11": "Cidades e comunidades sustentáveis", "12": "Consumo e produção responsáveis",
    "13": "Ação contra a mudança global do clima", "14": "Vida na água", "15": "Vida terrestre",
    "16": "Paz, justiça e instituições eficazes", "17": "Parcerias e meios de implementação",
}
"""Portuguese goal short titles written by the pitchgen team (no licensed pt source)."""


@dataclass(frozen=True)
class SdgText:
    """A text with its provenance.

    Attributes:
        text: the string to show.
        lang: language of ``text``.
        fallback_lang: set when ``text`` is in another language than asked.
        unofficial: True for team translations (vi/pt goal titles).
    """

    text: str
    lang: str
    fallback_lang: str | None = None
    unofficial: bool = False


class SdgCatalog:
    """Goals, targets and indicators loaded from ``sdg.json``.

    Raises:
        CorpusError: the file is missing or malformed.
    """

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        if not path.is_file():
            raise CorpusError("SDG data missing", path=path, fix="copy ../shared/data/sdg/sdg.json to corpus/sdg/")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.goals = {g["id"]: g for g in data["goals"]}
            self.targets = {t["id"]: t for t in data["targets"]}
            self.indicators = {i["id"]: i for i in data["indicators"]}
        except (KeyError, json.JSONDecodeError) as exc:
            raise CorpusError(f"SDG data malformed ({exc})", path=path, fix="restore corpus/sdg/sdg.json") from exc
        for kind, sid, field, wrong, right in ERRATA:
            rec = self.goals[sid]
            key, lang = field.split(".")
            value = rec[key].get(lang)
            if value and wrong in value and right not in value:
                rec[key][lang] = value.replace(wrong, right)

    @staticmethod
    def _pick(texts: dict, lang: Lang) -> SdgText:
        if texts.get(lang):
            return SdgText(texts[lang], lang)
        for fb in ("en", "es", "ja"):
            if texts.get(fb):
                return SdgText(texts[fb], fb, fallback_lang=fb)
        raise CorpusError("SDG record has no text in any language")

    def goal_short(self, goal: str, lang: Lang) -> SdgText:
        """Short goal title; vi/pt are team translations flagged unofficial.

        >>> cat = SdgCatalog("corpus/sdg/sdg.json")
        >>> cat.goal_short("11", "vi")
        SdgText(text='Thành phố và cộng đồng bền vững', lang='vi', fallback_lang=None, unofficial=True)
        >>> cat.goal_short("2", "ja").text
        '飢餓をゼロに'
        """
        if lang == "vi":
            return SdgText(VI_GOAL_SHORT_UNOFFICIAL[goal], "vi", unofficial=True)
        if lang == "pt":
            return SdgText(PT_GOAL_SHORT_UNOFFICIAL[goal], "pt", unofficial=True)
        return self._pick(self.goals[goal]["short"], lang)

    def target(self, target_id: str, lang: Lang) -> SdgText:
        """Official target text, or a flagged English fallback.

        Raises:
            KeyError: unknown target id.

        >>> SdgCatalog("corpus/sdg/sdg.json").target("11.5", "vi").fallback_lang
        'en'
        """
        return self._pick(self.targets[target_id]["text"], lang)

    def indicator(self, indicator_id: str, lang: Lang) -> SdgText:
        """Official indicator text, or a flagged fallback (ja and vi have none)."""
        return self._pick(self.indicators[indicator_id]["text"], lang)

    def color(self, goal: str) -> str:
        """Goal colour as ``#RRGGBB`` (open-sdg palette)."""
        return self.goals[goal]["color"]
