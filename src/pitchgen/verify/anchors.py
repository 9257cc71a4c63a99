"""Anchors a deterministic check can test: typed numbers, SDG references, negation and overclaim cues.

Numbers carry a *kind* (year, fiscal_year, month, percent, amount, count) and,
for counts, a *unit class* (persons, countries, hospitals, times, units, km),
so a value that appears in the cited lines in another role (13 subsystems)
does not support a claim about 13 people. Japanese fiscal years (年度) are a
kind of their own: FY2018 is not the calendar year 2018.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pitchgen.verify.numbers import _JA_SCALES, _SCALES, _parse_plain, canon

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}

# unit class -> patterns after the number, per language
_UNITS: dict[str, dict[str, str]] = {
    "ja": {"persons": r"^\s*(名|人)", "countries": r"^\s*(か国|カ国|ヶ国|箇国|国)", "hospitals": r"^\s*の?病院",
           "times": r"^\s*回", "units": r"^\s*台", "km": r"^\s*(km|Km|キロ)"},
    "es": {"persons": r"^\s*(personas?|funcionari|trabajador|participantes)", "countries": r"^\s*pa[ií]s",
           "hospitals": r"^\s*hospital", "times": r"^\s*(veces|visitas|reuniones)", "units": r"^\s*(unidades|equipos|transmisores)", "km": r"^\s*km"},
    "pt": {"persons": r"^\s*(pessoas?|funcionári|participantes)", "countries": r"^\s*pa[ií]s", "hospitals": r"^\s*hospita",
           "times": r"^\s*(vezes|visitas|reuniões)", "units": r"^\s*(unidades|equipamentos|transmissores)", "km": r"^\s*km"},
    "en": {"persons": r"^\s*(people|persons?|officials|staff|participants|trainees)", "countries": r"^\s*countr",
           "hospitals": r"^\s*hospital", "times": r"^\s*(times|visits|meetings)", "units": r"^\s*(units|transmitters|machines)", "km": r"^\s*(km|kilomet)"},
    "vi": {"persons": r"^\s*(lượt người|người|cán bộ|học viên)", "countries": r"^\s*(nước|quốc gia)", "hospitals": r"^\s*bệnh viện",
           "times": r"^\s*(lần|chuyến)", "units": r"^\s*(chiếc|thiết bị|máy)", "km": r"^\s*km"},
}
_CURRENCY = {
    "ja": r"^\s*(兆|億|万|千)?\s*(円|ドル|米ドル|ユーロ)",
    "es": r"^\s*(mil millones|millones|millón|mil|billones)?\s*(de\s+)?(yenes|yen|dólares|USD|euros)",
    "pt": r"^\s*(bilhões|bilhão|milhões|milhão|mil|trilhões)?\s*(de\s+)?(ienes|iene|dólares|USD|euros)",
    "en": r"^\s*(billion|million|thousand|trillion)?\s*(yen|JPY|US dollars|dollars|USD|euros)",
    "vi": r"^\s*(nghìn tỷ|tỷ|triệu|nghìn)?\s*(yên|đô la|USD|euro)",
}
_PERCENT = {"ja": r"^\s*(%|パーセント|割)", "es": r"^\s*(%|por ciento)", "pt": r"^\s*(%|por cento)",
            "en": r"^\s*(%|percent|per cent)", "vi": r"^\s*(%|phần trăm)"}
_FISCAL_BEFORE = {"es": r"(año fiscal|años fiscales|ejercicio)( de)?\s*$", "pt": r"(ano fiscal|anos fiscais|exercício)( de)?\s*$",
                  "en": r"(FY|fiscal year|fiscal years|fiscal)\s*$",
                  "vi": r"(năm tài khóa|năm tài chính)\s*$", "ja": r"(FY)\s*$"}
_MONTH_BEFORE = {"vi": r"tháng\s*$"}


@dataclass(frozen=True)
class NumberAnchor:
    """A typed number.

    Attributes:
        surface: matched text.
        kind: year, fiscal_year, month, percent, amount, count.
        values: candidate values (plain and scaled).
        unit: unit class for counts (persons, countries, ...), or None.
        start / end: character offsets in the (NFKC) text.
    """

    surface: str
    kind: str
    values: frozenset[float]
    unit: str | None
    start: int
    end: int

    def matches(self, other: NumberAnchor) -> bool:
        """Same kind, a shared value, and no conflicting unit class."""
        if self.kind != other.kind or not (self.values & other.values):
            return False
        if self.kind == "amount" and len(self.values) > 1 and len(other.values) > 1 and max(self.values) != max(other.values):
            return False  # 70万円 is not 70億円: both sides give a scale, so the scaled values must agree
        return not (self.unit and other.unit and self.unit != other.unit)

    def same_role(self, other: NumberAnchor) -> bool:
        """Same kind (and unit class when both have one): a different value here contradicts."""
        return self.kind == other.kind and not (self.unit and other.unit and self.unit != other.unit)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def typed_numbers(text: str, lang: str, skip: list[tuple[int, int]] | None = None) -> list[NumberAnchor]:
    """Typed numbers of ``text`` (NFKC). ``skip`` masks character ranges (e.g. SDG references).

    Numbers glued to Latin letters (5G, G20, TICAD7) are names, not numbers.

    >>> [(a.kind, sorted(a.values), a.unit) for a in typed_numbers("2018年度に延べ370名、5億円", "ja")]
    [('fiscal_year', [2018.0], None), ('count', [370.0], 'persons'), ('amount', [5.0, 500000000.0], None)]
    >>> [(a.kind, sorted(a.values)) for a in typed_numbers("tháng 8 năm 2018, 500 triệu yên, 5G", "vi")]
    [('month', [8.0]), ('year', [2018.0]), ('amount', [500.0, 500000000.0])]
    """
    t = _fold(text)
    skip = skip or []
    out: list[NumberAnchor] = []
    taken: list[tuple[int, int]] = list(skip)
    for m in re.finditer(r"(令和|平成|昭和)(元|\d{1,2})\s*年(度)?", t):
        n = 1 if m.group(2) == "元" else int(m.group(2))
        kind = "fiscal_year" if m.group(3) else "year"
        out.append(NumberAnchor(m.group(0), kind, frozenset({float(_ERAS[m.group(1)] + n)}), None, m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in re.finditer(r"\d+(?:[.,]\d+)*", t):
        s, e = m.start(), m.end()
        if any(a <= s < b for a, b in taken):
            continue
        before, after = t[max(0, s - 20):s], t[e:e + 30]
        if (before[-1:].isascii() and before[-1:].isalpha() and not re.search(r"FY$", before)) or (after[:1].isascii() and after[:1].isalpha()
                                                                                                    and not re.match(r"^(km|Km|KM|USD|JPY|FY)", after)):
            continue  # 5G, G20, TICAD7, ISDB-T
        raw = m.group(0).rstrip(".,")
        val = _parse_plain(raw, lang if lang != "ja" else "ja")
        if val is None:
            continue
        lg = lang if lang in _UNITS else "en"
        kind, unit, vals = "count", None, {canon(val)}
        cur = re.match(_CURRENCY[lg], after, re.IGNORECASE)
        if lang == "ja":
            sc = re.match(r"^\s*(兆|億|千万|百万|万|千)", after)
            if sc:
                vals.add(canon(val * _JA_SCALES[sc.group(1)]))
            # "2018、2019年", "2015～2017年度": every year of a list or range takes the unit at its end
            unit_after = re.match(r"^((?:\s*[、～~〜–—\-－・,]\s*\d{4})*)\s*(年度|年)", after)
            if unit_after and unit_after.group(2) == "年度":
                kind = "fiscal_year"
            elif unit_after and 1900 <= val <= 2100:
                kind = "year"
            elif re.match(r"^\s*月", after) and 1 <= val <= 12:
                kind = "month"
        else:
            scale_words = "|".join(re.escape(w) for w, _ in _SCALES.get(lang, []))
            sc = re.match(rf"^\s*({scale_words})(?!\w)", after, re.IGNORECASE) if scale_words else None
            if sc:
                factor = dict((w.lower(), f) for w, f in _SCALES[lang]).get(sc.group(1).lower(), 1)
                vals.add(canon(val * factor))
            if re.search(_FISCAL_BEFORE.get(lang, r"$^"), before, re.IGNORECASE):
                kind = "fiscal_year"
            elif lang in _MONTH_BEFORE and re.search(_MONTH_BEFORE[lang], before, re.IGNORECASE) and 1 <= val <= 12:
                kind = "month"
            elif 1900 <= val <= 2100 and float(val).is_integer() and not sc and not cur and raw.isdigit() \
                    and not any(re.match(p, after, re.IGNORECASE) for p in _UNITS[lg].values()) \
                    and not re.match(_PERCENT[lg], after):
                kind = "year"  # "2018 personas" is a count, not a year
        if kind == "count":
            if cur or (lang == "ja" and re.match(r"^\s*(兆|億|千万|百万|万)", after)) or (lang != "ja" and len(vals) > 1):
                kind = "amount"
            elif re.match(_PERCENT[lg], after):
                kind = "percent"
            else:
                for u, pat in _UNITS[lg].items():
                    if re.match(pat, after, re.IGNORECASE):
                        unit = u
                        break
        out.append(NumberAnchor(raw, kind, frozenset(vals), unit, s, e))
    out.sort(key=lambda a: a.start)
    # "fiscal 2013 and 2017", "năm tài khóa 2015–2017": the second year of a pair keeps the first's kind
    for i in range(1, len(out)):
        a, b = out[i - 1], out[i]
        if a.kind == "fiscal_year" and b.kind == "year" and re.fullmatch(r"\s*(y|and|a|to|e|đến|tới|–|-|~|～|〜)\s*", t[a.end:b.start]):
            out[i] = NumberAnchor(b.surface, "fiscal_year", b.values, b.unit, b.start, b.end)
    return out


_SDG_PATTERNS: dict[str, list[str]] = {
    "en": [r"\bSDGs?\s*(?:target\s*|goal\s*)?(\d{1,2}(?:\.[0-9a-c]{1,2})?)", r"\b(?:target|Goal)\s+(\d{1,2}(?:\.[0-9a-c]{1,2})?)"],
    "es": [r"\bODS\s*(\d{1,2}(?:\.[0-9a-c]{1,2})?)", r"\bmeta\s+(\d{1,2}\.[0-9a-c]{1,2})", r"\bObjetivo\s+(\d{1,2})"],
    "pt": [r"\bODS\s*(\d{1,2}(?:\.[0-9a-c]{1,2})?)", r"\bmeta\s+(\d{1,2}\.[0-9a-c]{1,2})", r"\bObjetivo\s+(\d{1,2})"],
    "vi": [r"\bSDG\s*(\d{1,2}(?:\.[0-9a-c]{1,2})?)", r"Mục tiêu\s*(?:SDG\s*)?(\d{1,2}(?:\.[0-9a-c]{1,2})?)", r"\bchỉ tiêu\s+(\d{1,2}\.[0-9a-c]{1,2})"],
    "ja": [r"SDGs?\s*(?:の)?\s*(?:目標|ゴール)?\s*(\d{1,2}(?:\.[0-9a-c]{1,2})?)", r"目標\s*(\d{1,2})", r"ゴール\s*(\d{1,2})",
           r"ターゲット\s*(\d{1,2}\.[0-9a-c]{1,2})"],
}


def sdg_refs(text: str, lang: str) -> list[tuple[str, int, int]]:
    """SDG goal/target references: (id, start, end) in the NFKC text.

    >>> [r[0] for r in sdg_refs("Aporta a la meta 11.5 y al ODS 13", "es")]
    ['11.5', '13']
    >>> [r[0] for r in sdg_refs("SDGsの目標11に貢献", "ja")]
    ['11']
    """
    t = _fold(text)
    found: dict[int, tuple[str, int, int]] = {}
    for pat in _SDG_PATTERNS.get(lang, _SDG_PATTERNS["en"]):
        for m in re.finditer(pat, t, re.IGNORECASE):
            found.setdefault(m.start(1), (m.group(1), m.start(), m.end()))
    return [found[k] for k in sorted(found)]


_NEGATION = {
    "en": r"\b(not|no|never|none|nobody|neither|without)\b|n't\b",
    "es": r"\b(no|nunca|ningún|ninguna|ninguno|nadie|sin|tampoco)\b",
    "pt": r"\b(não|nunca|nenhum|nenhuma|ninguém|sem)\b",
    "vi": r"\b(không|chưa|chẳng|chả)\b(?! (dây|gian|khí|chỉ|những|ngừng))",
    "ja": r"(ない|なかった|なく|ず[、。にも]|ません|せず|至らず|不成立|未整備|未実施)",
}
_NOT_NEGATION = {"vi": r"hàng không|không dây|không gian|không khí|không chỉ|không ngừng|không chuyên|không hoàn lại",
                 "es": r"no reembolsable|no especialistas?", "pt": r"não reembolsável|não especialistas?"}
_FAILED_JA = r"(成立せず|成立しなかった|至らず|至らなかった|中止|断念|見送)"


def is_failed(quote: str) -> bool:
    """Whether a Japanese quote reports that something did not happen (成立せず, 至らず, 中止 ...).

    >>> is_failed("実証後、金額の折り合いがつかず、案件としては成立せず"), is_failed("通信環境が十分でない")
    (True, False)
    """
    return bool(re.search(_FAILED_JA, _fold(quote)))


def quote_negated(quote: str) -> bool:
    """Negation in a (narrow) Japanese quote, negative prefixes included (未整備, 無戸籍, 不十分).

    >>> quote_negated("身元証明の基盤未整備"), quote_negated("研修を実施")
    (True, False)
    """
    return is_negated(quote, "ja") or bool(re.search(r"[未無不非]", _fold(quote)))


def is_negated(text: str, lang: str) -> bool:
    """Whether a sentence carries a negation cue (compounds like vi 'không dây' excluded).

    >>> is_negated("Perú no adoptó la norma", "es"), is_negated("mạng không dây", "vi"), is_negated("案件としては成立せず", "ja")
    (True, False, True)
    """
    t = _fold(text)
    if lang in _NOT_NEGATION:
        t = re.sub(_NOT_NEGATION[lang], " ", t, flags=re.IGNORECASE)
    return bool(re.search(_NEGATION.get(lang, _NEGATION["en"]), t, re.IGNORECASE))


_WIDE = {
    "en": r"\b(nationwide|across the (whole )?country|all|every|entire|whole country|everyone)\b",
    "es": r"(todo el país|a nivel nacional|en todo el territorio|\btodos\b|\btodas\b|\bcada\b)",
    "pt": r"(todo o país|em todo o território|nível nacional|\btodos\b|\btodas\b|\bcada\b)",
    "vi": r"(toàn quốc|cả nước|tất cả|\bmọi\b|toàn bộ)",
    "ja": r"(全国|全土|すべて|全て|あらゆる)",
}
_ABSOLUTE = {
    "en": r"\b(only|solely|entirely|exclusively|certain|certainly|definitely|guaranteed|always)\b",
    "es": r"(únicamente|\bsolo\b|\bsólo\b|íntegramente|exclusivamente|es seguro|con certeza|siempre)",
    "pt": r"(\bapenas\b|somente|integralmente|exclusivamente|é certo|com certeza|sempre)",
    "vi": r"(\bchỉ có\b|\bchỉ riêng\b|hoàn toàn|duy nhất|chắc chắn|luôn luôn)",  # not "chỉ đạo" (to direct)
    "ja": r"(のみ|だけ|確実|必ず|全面的に|専ら)",
}
_ABSOLUTE_EVIDENCE = r"(のみ|だけ|確実|必ず|全面的|専ら|限り)"
_WIDE_EVIDENCE = r"(全国|全土|すべて|全て|あらゆる|全\w|各国|各地|各|一人一人|一人ひとり|誰一人|皆)"
_DONE = {
    "en": r"\b(adopted|ordered|won|deployed|implemented|introduced|in operation|operational|completed|launched|installed)\b",
    "es": r"(adoptó|adoptad[oa]s?|implantad[oa]|implantó|contrat[oó]|en operación|complet[oó]|completad[oa]|finaliz|despleg|instalad|lanz[oó])",
    "pt": r"(adotou|adotad[oa]|implantad[oa]|implantou|contrat[ou]|em operação|conclu[ií]|instalad|lançou)",
    "vi": r"(đã áp dụng|đưa vào sử dụng|đã ký hợp đồng|giành được hợp đồng|đã hoàn thành|hoàn tất|đi vào vận hành|đã lắp đặt)",
    "ja": r"(採用した|導入した|受注した|完了した|終えた|終了した|運用を開始|導入済|受注)",
}
_DONE_EVIDENCE = r"(採用|導入|受注|完了|運用|開始|済|実現|締結|署名|設立|整備|構築|敷設|提供)"
_TOWARD = r"(導入|採用|受注|構築|整備|実現|運用)(に向け|を目指|の可能性|を働きかけ|に関する|を検討|の検討)"
_TENTATIVE_EVIDENCE = r"(調査|実証|検討|予定|計画|目指|可能性|模索|調整中|試験|支援)"
_FUTURE = {
    "en": r"\b(will|plan|planned|expected|aim|aims|to be)\b", "es": r"(\w+rá\b|\w+rán\b|prev|plan|se espera|apunta|con miras)",
    "pt": r"(\w+rá\b|\w+rão\b|prev|plan|espera-se|visa)", "vi": r"(\bsẽ\b|dự kiến|kế hoạch|hướng tới|nhằm)",
    "ja": r"(予定|計画|目指|見込み)",
}


def overclaim_cues(claim: str, lang: str, evidence: str) -> list[str]:
    """Ways the claim widens the evidence: scope (nationwide, all) or stage (adopted when surveyed).

    >>> overclaim_cues("Se adoptó en todo el país", "es", "一部地域で実証を実施")
    ['scope: todo el país', 'stage: adoptó']
    >>> overclaim_cues("Se realizó un estudio", "es", "調査を実施")
    []
    """
    c, ev = _fold(claim), _fold(evidence)
    cues = []
    m = re.search(_WIDE.get(lang, _WIDE["en"]), c, re.IGNORECASE)
    if m and not re.search(_WIDE_EVIDENCE, ev):
        cues.append(f"scope: {m.group(0).strip()}")
    m = re.search(_ABSOLUTE.get(lang, _ABSOLUTE["en"]), c, re.IGNORECASE)
    if m and not re.search(_ABSOLUTE_EVIDENCE, ev):
        cues.append(f"absolute: {m.group(0).strip()}")
    m = re.search(_DONE.get(lang, _DONE["en"]), c, re.IGNORECASE)
    ev_done = re.sub(_TOWARD, "", ev)  # 導入に向けた調査 is a survey, not an introduction
    if m and not re.search(_FUTURE.get(lang, _FUTURE["en"]), c, re.IGNORECASE) and re.search(_TENTATIVE_EVIDENCE, ev) \
            and not re.search(_DONE_EVIDENCE, ev_done):
        cues.append(f"stage: {m.group(0).strip()}")
    return cues
