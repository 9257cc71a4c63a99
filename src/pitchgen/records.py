"""Domain records passed between pitchgen's stages.

Every record is a frozen pydantic model: stages take records and return new
ones, nothing is mutated in place. Line numbers are always 1-based and
inclusive, counted in the *original* corpus file exactly as ``sed -n 'A,Bp'``
counts them.

Stages and the records they exchange::

    ingest   : SourceDocument            -> tuple[Chunk, ...]
    retrieve : str (query), Lang         -> tuple[Hit, ...]
    plan     : Hit..., country, sector   -> DeckPlan (slides + claims)
    render   : DeckPlan                  -> deck.pptx, brief.docx, claims.json
    verify   : Claim                     -> tuple[CheckResult, ...]
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["ja", "vi", "es", "en", "pt"]
"""Output and query languages pitchgen supports (ISO 639-1)."""

LANGS: tuple[Lang, ...] = ("ja", "vi", "es", "en", "pt")

ChunkKind = Literal["text", "karte_row", "table_row", "heading_only"]

SlideRole = Literal["title", "challenge", "solution", "chain", "cases", "pathway", "next_steps"]
"""The seven slide roles of a pitch deck, in deck order."""

ClaimKind = Literal[
    "challenge",
    "output",
    "outcome",
    "sdg_link",
    "case_event",
    "case_output",
    "case_outcome",
    "case_financing",
    "pathway",
    "next_step",
    "context",
]


class Record(BaseModel):
    """Base of all records: frozen, no extra fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceDocument(Record):
    """One corpus document, as listed in ``corpus/policy/manifest.yaml``.

    Attributes:
        doc_id: readable id, e.g. ``"mic-action-plan-2020"``.
        source_file: the original file name, e.g. ``"000_8c8e251bf5ccc63e.txt"``.
        title_ja / title_en: document titles.
        publisher: issuing body (e.g. 総務省 / MIC).
        date: ISO date or year-month of publication, as a string.
        kind: ``"report"`` for prose, ``"slides"`` for extracted slide text
            (normalised harder for indexing).
        licence: licence / reuse note.
        n_lines: number of lines in the file (``sed`` counting).
    """

    doc_id: str
    source_file: str
    title_ja: str
    title_en: str
    publisher: str
    date: str
    kind: Literal["report", "slides"] = "report"
    licence: str
    n_lines: int = Field(ge=1)


class Chunk(Record):
    """A retrievable span of one document.

    Attributes:
        chunk_id: ``"{doc_id}:{line_start}-{line_end}"`` (unique; a suffix
            ``#n`` is added when two chunks share a span).
        doc_id / source_file: the document it comes from.
        line_start / line_end: original line span, 1-based inclusive.
        heading: heading path, outermost first, joined by ``" > "``.
        text: the original text of the span (lines joined by ``"\\n"``).
        index_text: normalised text used for indexing (NFKC, noise joined,
            headings and, for karte rows, column headers prepended).
        kind: ``"text"`` for prose, ``"karte_row"`` for a row of a karte
            table, ``"table_row"`` for other tab-separated rows.
        country_hint: ISO 3166-1 alpha-2 code when a karte row or heading
            names one country, else ``None``.
    """

    chunk_id: str
    doc_id: str
    source_file: str
    line_start: int = Field(ge=1)
    line_end: int = Field(ge=1)
    heading: str = ""
    text: str
    index_text: str
    kind: ChunkKind = "text"
    country_hint: str | None = None

    @model_validator(mode="after")
    def _span_ordered(self) -> Chunk:
        if self.line_end < self.line_start:
            raise ValueError(f"line_end {self.line_end} < line_start {self.line_start}")
        return self


class Hit(Record):
    """A retrieved chunk with its fused score (higher is better)."""

    chunk: Chunk
    score: float
    rank: int = Field(ge=1)


class Citation(Record):
    """Where a claim's evidence lies: document, original line span, exact quote.

    ``quote`` is an exact substring of the original lines
    ``line_start..line_end`` joined by ``"\\n"``.
    """

    doc_id: str
    source_file: str
    line_start: int = Field(ge=1)
    line_end: int = Field(ge=1)
    quote: str = Field(min_length=1)


class Claim(Record):
    """One statement shown to the partner, with the evidence it rests on.

    Attributes:
        claim_id: stable id within a deck, e.g. ``"c07"``.
        text: the statement in ``lang``.
        lang: output language.
        slide: 1-based slide number it appears on.
        kind: claim type (challenge, case_event, ...).
        marker: citation marker number shown on the slide, ``[n]``.
        citations: at least one for any claim written to a deck.
        case_country: ISO2 country the claim is about, if any.
        scope: for case claims, ``"partner"``, ``"region"`` or ``"global"``.
        verdict / reasons: the verifier's verdict when the claim was written
            (a deck only ever holds supported or unverified claims).
    """

    claim_id: str
    text: str
    lang: Lang
    slide: int = Field(ge=1)
    kind: ClaimKind
    marker: int = Field(ge=1)
    citations: tuple[Citation, ...]
    case_country: str | None = None
    scope: Literal["partner", "region", "global"] | None = None
    verdict: Literal["supported", "unverified", "contradicted", "unsupported"] | None = None
    reasons: tuple[str, ...] = ()


class Bullet(Record):
    """One line of slide body text: plain text plus the claim it shows."""

    text: str
    claim_id: str | None = None
    level: int = Field(default=0, ge=0, le=4)


class Slide(Record):
    """One planned slide.

    Attributes:
        role: its place in the pitch (see :data:`SlideRole`).
        layout: name of the slide layout in the PPTX template.
        title: slide title (no citation needed; not a claim).
        subtitle: optional second title line.
        bullets: body lines, in order.
        table: optional rows (first row is the header) for table layouts.
        notes: extra speaker-note lines (citations are added by the renderer).
    """

    role: SlideRole
    layout: str
    title: str
    subtitle: str = ""
    bullets: tuple[Bullet, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()


class LogframeRow(Record):
    """One row of the brief's logical framework (logframe).

    Text cells are in the output language; ``evidence`` lists citation
    markers (e.g. ``"[3][4]"``).
    """

    output: str
    outcome: str
    impact: str
    sdg_target: str
    indicator: str
    evidence: str


class DeckPlan(Record):
    """Everything the renderers need for one pitch.

    Attributes:
        country: ISO 3166-1 alpha-2 code of the partner.
        country_name: partner name in ``lang`` (CLDR via babel).
        sector: sector slug.
        sector_name: sector name in ``lang``.
        lang: output language.
        locale: gettext catalog the fixed text came from (``pt_PT`` for a pt-PT deck).
        slides: the slides, in deck order.
        claims: every claim shown, each with its citations.
        logframe: rows of the brief's logframe table.
        summary: one-paragraph summary for the brief (built from claims).
        case_scope_note: how cases were chosen (partner / region / global),
            in ``lang``; shown on the case slide and in the brief.
        generated_on: ISO date the plan was made (passed in; never read from
            the clock inside the planner).
        doc_titles: doc_id -> title used in notes and references.
        rejected: claims the verifier refused (contradicted or unsupported),
            with its reasons; never shown on a slide, listed in claims.json.
        generation: which backend wrote the sentences, and per slide the
            LLM report (attempts, retries, fallback and why); never silent.
    """

    country: str
    country_name: str
    sector: str
    sector_name: str
    lang: Lang
    slides: tuple[Slide, ...]
    claims: tuple[Claim, ...]
    logframe: tuple[LogframeRow, ...] = ()
    summary: str = ""
    case_scope_note: str = ""
    generated_on: str
    locale: str = ""
    doc_titles: dict[str, str] = Field(default_factory=dict)
    rejected: tuple[str, ...] = ()
    generation: dict = Field(default_factory=dict)

    def claim(self, claim_id: str) -> Claim:
        """Return the claim with ``claim_id``; raises ``KeyError`` if absent."""
        for c in self.claims:
            if c.claim_id == claim_id:
                return c
        raise KeyError(claim_id)


class CheckResult(Record):
    """Outcome of one deterministic check on one claim.

    Attributes:
        check: check name (``"has_citation"``, ``"citation_resolves"``,
            ``"numbers_in_span"``).
        claim_id: the claim checked.
        passed: whether it passed.
        detail: human-readable reason, naming the anchor and span.
    """

    check: str
    claim_id: str
    passed: bool
    detail: str = ""


# -- case records (corpus/cases/) ----------------------------------------------

CaseStage = Literal["consideration", "agreement", "survey", "order"]
"""検討 → 覚書・協議 → 調査・実証 → 受注・管理."""

CASE_STAGES: tuple[str, ...] = ("consideration", "agreement", "survey", "order")

Financing = Literal[
    "jica_technical_cooperation",  # JICA 技術協力 (experts, training)
    "jica_grant_aid",  # 無償資金協力
    "yen_loan",  # 円借款
    "oda_unspecified",  # ODA without the scheme named
    "jbic",  # 国際協力銀行
    "jict",  # 海外通信・放送・郵便事業支援機構
    "nexi",  # 日本貿易保険
    "mic_survey_budget",  # 総務省予算による調査・実証
    "mic_subsidy",  # 総務省補助事業
    "jaif",  # 日・ASEAN統合基金
    "multilateral",  # World Bank, ADB, ITU ...
    "partner_government",  # the partner's own budget
    "private",  # a company's own order or investment
]
"""Financing schemes of a case (closed vocabulary)."""


class SourceRef(Record):
    """A cited fact's evidence: document, original line span, exact quote."""

    doc_id: str
    line_start: int = Field(ge=1)
    line_end: int = Field(ge=1)
    quote: str = Field(min_length=1)


class CaseStageEntry(Record):
    """A stage reached on a date.

    ``date`` is ``YYYY``, ``YYYY-MM``, ``FYYYYY`` (Japanese fiscal year, April
    to March) or a range ``A/B`` of two of those.
    """

    stage: CaseStage
    date: str
    what: dict[str, str] = Field(default_factory=dict)  # lang -> short description (ja, en at least)
    source: SourceRef

    @field_validator("date", mode="before")
    @classmethod
    def _year_as_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


class CaseFact(Record):
    """An output or outcome: text per language, optional indicator and value, its source and date.

    ``text`` has ``ja`` and ``en`` at least; ``vi``, ``es`` and ``pt`` are written natively
    (glossary terms, the same numbers as the quote). A deck shows a fact only in a language
    it has text for: never an English fallback on a Vietnamese slide.
    """

    text: dict[str, str]
    indicator: str | None = None
    value: float | None = None
    unit: str | None = None
    as_of: str | None = None
    source: SourceRef

    @field_validator("as_of", mode="before")
    @classmethod
    def _year_as_text(cls, v: object) -> object:
        return str(v) if isinstance(v, int) else v


AmountKind = Literal["oda", "grant_aid", "loan", "investment", "total_cost", "order_value", "units"]
"""What an amount measures, so it can be said in any language (message ``amount.<kind>``):
ODA of unnamed scheme, a grant, a loan, an equity/loan support decision, a project's total
cost, the value of an order, a count of units (transmitters)."""

AmountQualifier = Literal["exact", "approx", "max", "min"]
"""How the source qualifies an amount: as is, 約 (about), 上限/最大 (up to), 以上 (at least)."""


class CaseAmount(Record):
    """An amount. ``value`` is None when the source masks it (``**億円``): unknown, never a number.

    ``what`` is the source's own wording (Japanese, shown in the notes); ``kind`` and
    ``qualifier`` say the same in a form every output language can render
    (:func:`pitchgen.generate.amounts.format_amount`). ``unit`` is the source's unit:
    ``億円``, ``万円``, ``円``, ``百万米ドル`` or a count unit such as ``台``.
    """

    what: str
    value: float | None
    unit: str
    kind: AmountKind | None = None
    qualifier: AmountQualifier = "exact"
    masked: bool = False
    as_of: str | None = None
    source: SourceRef


class SdgLink(Record):
    """An SDG target a case serves, with a one-line rationale."""

    target: str
    rationale: str


class Curation(Record):
    """What a person checked: ``status`` draft (parser output) or curated, by whom, which fields."""

    status: Literal["draft", "curated"]
    by: str = ""
    fields: tuple[str, ...] = ()
    note: str = ""


class CaseRecord(Record):
    """A past case (効果の見える化), every fact with its source.

    Attributes:
        id: unique, e.g. ``"vn-e_government-training"``.
        title: ``{"ja": ..., "en": ...}``.
        country: ISO 3166-1 alpha-2, or ``region:<code>`` (corpus/regions.yaml).
        sector: sector slug.
        stages: dated stages reached, each cited.
        outputs / outcomes: what the case produced and the results, cited.
        amounts: money or quantities, cited; masked amounts stay unknown.
        organisations: names as in the source (ja) or their usual acronym.
        financing: schemes (:data:`Financing`).
        sdg_targets: targets served, each with a rationale.
        sources: every source the record rests on (stage/fact sources included).
        curation: draft or curated.
        origin: ``"karte"`` for a karte-table row (``karte_line`` set), else ``"narrative"``.
        karte_line: the karte row's line in the action plan, for coverage checks.
    """

    id: str
    title: dict[str, str]
    country: str
    sector: str
    stages: tuple[CaseStageEntry, ...] = ()
    outputs: tuple[CaseFact, ...] = ()
    outcomes: tuple[CaseFact, ...] = ()
    amounts: tuple[CaseAmount, ...] = ()
    organisations: tuple[str, ...] = ()
    financing: tuple[Financing, ...] = ()
    sdg_targets: tuple[SdgLink, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    curation: Curation
    origin: Literal["karte", "narrative"] = "narrative"
    karte_line: int | None = None
