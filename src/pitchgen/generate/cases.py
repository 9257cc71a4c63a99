"""Past cases from the karte tables: dated events, stages and their exact quotes.

A karte row (one tab-separated line of the action plan's 別表) describes one
case: a country, a field, and dated entries spread over the stage columns
検討 → 覚書・協議 → 調査・実証 → 受注・管理. Because merged cells shift the
columns in the extracted text, the stage of an entry is taken from what the
entry says (覚書に署名 → agreement, 実証 → survey/demonstration, 受注 → order),
not from the column it landed in.

Each entry becomes a :class:`CaseEvent` whose ``quote`` is the exact substring
of the row (date marker included), so every event can be cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pitchgen.records import Chunk

STAGES: tuple[str, ...] = ("consideration", "agreement", "survey", "order")
"""Stage order: 検討, 覚書・協議, 調査・実証, 受注・管理."""

# A date that opens an entry: 2018年8月, 2019年度, 2017～2019年, 2014年1月～2019年 3月, 2020年～
_DATE = re.compile(
    r"(?P<y1>(?:19|20)\d{2})(?:年度|年)?(?:\s*(?P<m1>\d{1,2})\s*月)?"
    r"(?:\s*[～~〜\-－]\s*(?:(?P<y2>(?:19|20)\d{2})(?:年度|年)?)?(?:\s*(?P<m2>\d{1,2})\s*月)?)?"
)
_OPENERS = " \t・「<>p/"  # not "(": a date in brackets qualifies the words before it
_TAGS = re.compile(r"</?[a-z]+>")

# (event type, stage, pattern on the space-free entry text); first match wins
EVENT_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("negated", "", re.compile(r"成立せず|至らず|至っていない|見送|断念|中止|折り合いがつかず")),
    ("planned", "", re.compile(r"予定|模索|目指")),
    ("order", "order", re.compile(r"受注|導入済|採択|サービス開始|商用化")),
    ("adopted", "consideration", re.compile(r"採用決定")),
    ("broadcast_start", "consideration", re.compile(r"放送開始")),
    ("joint_statement", "agreement", re.compile(r"共同声明")),
    ("mou", "agreement", re.compile(r"覚書|MOA|基本合意書|合意")),
    ("request", "consideration", re.compile(r"要請|申し入れ|依頼")),
    ("proposal", "consideration", re.compile(r"提案")),
    ("training", "survey", re.compile(r"研修")),
    ("survey", "survey", re.compile(r"調査|実証")),
    ("experts", "survey", re.compile(r"専門家")),
    ("oda", "survey", re.compile(r"ODA")),
    ("meeting", "agreement", re.compile(r"会談|会合|作業部会|ワークショップ|セミナー|訪問|ミッション|働きかけ|プレゼン|表敬")),
    ("study", "consideration", re.compile(r"検討")),
)


@dataclass(frozen=True)
class CaseEvent:
    """One dated entry of a karte row.

    Attributes:
        year / month: start of the entry (month may be None).
        year_end: end year of a range (e.g. 2017～2019年), else None.
        fiscal: True when the date is a Japanese fiscal year (年度).
        kind: event type (see :data:`EVENT_RULES`).
        stage: one of :data:`STAGES`.
        quote: exact substring of the karte line: the date and the entry.
        count: a count the entry states (persons trained, hospitals), if any.
        count_unit: ``"persons"``, ``"hospitals"``, ``"visits"``.
        level: ``"ministerial"``, ``"vice_ministerial"``, ``"director"``,
            ``"summit"`` when the entry says who signed or met.
    """

    year: int
    month: int | None
    year_end: int | None
    fiscal: bool
    kind: str
    stage: str
    quote: str
    count: int | None = None
    count_unit: str | None = None
    level: str | None = None
    phrase: str = ""


def phrase_key(kind: str, flat: str, count_unit: str | None) -> str:
    """Key of the localized phrase for an event (gettext message ``event.*`` in ``locales/``).

    >>> phrase_key("survey", "基礎調査・実証を実施", None)
    'survey_demo'
    >>> phrase_key("training", "延べ370名に研修実施", "persons")
    'training_n'
    """
    if kind == "training":
        return "training_n" if count_unit == "persons" else "training"
    if kind == "experts":
        return "experts_jica" if "JICA" in flat else "experts"
    if kind == "survey":
        if "調査" in flat and "実証" in flat:
            return "survey_demo"
        return "demonstration" if "実証" in flat else "survey"
    if kind == "oda":
        return "oda_signing" if "署名式" in flat else "oda"
    if kind == "order":
        if count_unit == "hospitals":
            return "order_adopted_hospitals"
        if re.search(r"導入済|採択", flat):
            return "order_adopted"
        if re.search(r"サービス開始|商用化", flat):
            return "order_service"
        return "order"
    if kind == "mou" and re.search(r"追加|格上げ|改定", flat):
        return "mou_updated"
    if kind == "broadcast_start":
        return "test_broadcast" if "試験放送" in flat else "broadcast_start"
    if kind == "meeting":
        for pat, key in (("作業部会", "working_group"), ("ワークショップ", "workshop"), ("セミナー", "seminar"),
                         ("ミッション", "mission"), ("働きかけ|プレゼン", "presentation")):
            if re.search(pat, flat):
                return key
        if "訪問" in flat:
            return "visits_n" if count_unit == "visits" else "visit"
        return "meeting"
    return kind


@dataclass(frozen=True)
class Case:
    """A karte row as a case.

    Attributes:
        chunk: the karte-row chunk (doc id, line, text).
        country: ISO2 code, or None when the row names none.
        field_ja: the row's field cell (e.g. ``"【ペルー】 防災ICTシステム"``).
        events: dated events in row order.
        summary_ja: the row's "infrastructure/service" cell, if any.
    """

    chunk: Chunk
    country: str | None
    field_ja: str
    events: tuple[CaseEvent, ...]
    summary_ja: str = ""

    @property
    def stage_reached(self) -> str | None:
        """The furthest stage among the events, or None."""
        ranks = [STAGES.index(e.stage) for e in self.events if e.stage in STAGES]
        return STAGES[max(ranks)] if ranks else None

    def by_stage(self) -> dict[str, list[CaseEvent]]:
        """Events grouped by stage (stage order; by date within a stage)."""
        out: dict[str, list[CaseEvent]] = {s: [] for s in STAGES}
        for e in sorted(self.events, key=lambda e: (e.year, e.month or 0)):
            if e.stage in out:
                out[e.stage].append(e)
        return out


def _classify(text: str) -> tuple[str, str] | None:
    flat = re.sub(r"\s+", "", text)
    for kind, stage, pat in EVENT_RULES:
        if pat.search(flat):
            return kind, stage
    return None


def _details(flat: str, kind: str) -> tuple[int | None, str | None, str | None]:
    count = unit = None
    m = re.search(r"延べ(\d+)名", flat) or re.search(r"(\d+)名に研修", flat)
    if m:
        count, unit = int(m.group(1)), "persons"
    else:
        m = re.search(r"(\d+)の病院", flat)
        if m:
            count, unit = int(m.group(1)), "hospitals"
        else:
            m = re.search(r"(\d+)回(?:訪問|開催)", flat)
            if m:
                count, unit = int(m.group(1)), "visits" if "訪問" in flat else "meetings"
    level = None
    if "首脳" in flat or "総理" in flat or "大統領" in flat:
        level = "summit"
    elif "副大臣" in flat:
        level = "vice_ministerial"
    elif "大臣間" in flat or "大臣が" in flat or "大臣と" in flat:
        level = "ministerial"
    elif "局長間" in flat:
        level = "director"
    return count, unit, level


def extract_events(line: str) -> tuple[CaseEvent, ...]:
    """Dated events of one karte line, each with its exact quote.

    Entries start at a year that opens a cell or follows a space or bullet
    (so 2020年末 inside a sentence is not an entry). Entries that announce
    plans (予定, 目指す) or failures (成立せず, 至らず) are dropped: they are
    not events a pitch may cite as progress. An entry whose type
    cannot be recognised is dropped rather than guessed.

    >>> evs = extract_events("2018年5月 ベトナム副首相から 総務大臣に協力要 請\\t2018年8月 大臣間で覚書に署名")
    >>> [(e.year, e.month, e.kind, e.stage, e.level) for e in evs]
    [(2018, 5, 'request', 'consideration', None), (2018, 8, 'mou', 'agreement', 'ministerial')]
    >>> extract_events("2019年～2020年 延べ370名に研修実施")[0].count
    370
    """
    events: list[CaseEvent] = []
    for cell in line.split("\t"):
        starts = [m for m in _DATE.finditer(cell) if m.start() == 0 or cell[m.start() - 1] in _OPENERS]
        carried: re.Match[str] | None = None  # a date whose entry text follows the next date
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(cell)
            body = cell[m.end() : end]
            if not _TAGS.sub("", body).strip(" 　・"):
                carried = carried or m
                continue
            if carried is not None:
                # "<p>2016年12月</p> <p>2016年5月の…を受け、…に署名</p>": the entry is dated by the first date
                m, carried = carried, None
            quote = cell[m.start() : end].rstrip(" 。、・")
            if "**" in quote and not re.sub(r"[\s*]", "", body):
                continue
            cls = _classify(body)
            if cls is None or cls[0] in ("planned", "negated"):
                continue
            kind, stage = cls
            flat = re.sub(r"\s+", "", body)
            count, unit, level = _details(flat, kind)
            y2 = int(m.group("y2")) if m.group("y2") else None
            events.append(
                CaseEvent(
                    year=int(m.group("y1")),
                    month=int(m.group("m1")) if m.group("m1") else None,
                    year_end=y2 if y2 and y2 != int(m.group("y1")) else None,
                    fiscal="年度" in m.group(0),
                    kind=kind,
                    stage=stage,
                    quote=quote,
                    count=count,
                    count_unit=unit,
                    level=level,
                    phrase=phrase_key(kind, flat, unit),
                )
            )
    return tuple(events)


def case_from_chunk(chunk: Chunk) -> Case:
    """Build a :class:`Case` from a ``karte_row`` chunk.

    Raises:
        ValueError: the chunk is not a karte row.
    """
    if chunk.kind != "karte_row":
        raise ValueError(f"{chunk.chunk_id} is not a karte row")
    cells = chunk.text.split("\t")
    field = cells[0].strip() or (cells[1].strip() if len(cells) > 1 else "")
    summary = cells[1].strip() if len(cells) > 1 and not _DATE.match(cells[1].strip()) else ""
    return Case(chunk=chunk, country=chunk.country_hint, field_ja=field, events=extract_events(chunk.text), summary_ja=summary)
