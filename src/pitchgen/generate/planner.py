"""Plan a pitch: retrieve evidence, pick cases and statements, and lay out the slides.

The default writer is offline and deterministic: every sentence is either a
curated statement-bank sentence anchored on an exact quote that retrieval
surfaced (or that is about the partner), or a template sentence built from a
dated karte entry. Nothing else reaches a slide, so a section with no
evidence is shown as empty rather than filled.

Case selection (効果の見える化): the partner country's cases first, then the
same sector in the partner's region, then the rest; the deck says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pitchgen.generate.cases import STAGES, Case, CaseEvent, case_from_chunk
from pitchgen.generate.phrases import Phrases, format_event_date
from pitchgen.generate.statements import Chain, Statement, StatementBank
from pitchgen.glossary import Glossary
from pitchgen.records import Bullet, Citation, Claim, DeckPlan, Hit, Lang, LogframeRow, Slide
from pitchgen.sdg import SdgCatalog
from pitchgen.vocab import Sector, Vocabulary, country_name, language_name


class Retriever(Protocol):
    """What the planner needs from an index (see :class:`pitchgen.retrieve.index.HybridIndex`)."""

    chunks: tuple

    def search(self, query: str, lang: Lang = "ja", top_k: int = 10) -> tuple[Hit, ...]: ...


@dataclass(frozen=True)
class PlanSettings:
    """Limits of one deck.

    Attributes:
        top_k: hits per retrieval query.
        max_bullets: bullets per content slide.
        max_cases: rows of the case timeline.
        max_pathways: case pathways on the pathway slide.
    """

    top_k: int = 30
    max_bullets: int = 5
    max_cases: int = 6
    max_pathways: int = 2

    def __post_init__(self) -> None:
        if min(self.top_k, self.max_bullets, self.max_cases) < 1 or self.max_pathways < 0:
            raise ValueError("PlanSettings: limits must be positive")


@dataclass
class _Draft:
    """Mutable builder state (internal)."""

    lang: Lang
    claims: list[Claim] = field(default_factory=list)
    slide_no: int = 1

    def add(self, kind: str, text: str, citations: Sequence[Citation], *, country: str | None = None,
            scope: str | None = None) -> Claim:
        for c in self.claims:  # a claim shown twice keeps its first marker
            if c.text == text and c.citations == tuple(citations):
                return c
        claim = Claim(
            claim_id=f"c{len(self.claims) + 1:02d}", text=text, lang=self.lang, slide=self.slide_no, kind=kind,
            marker=len(self.claims) + 1, citations=tuple(citations), case_country=country, scope=scope,
        )
        self.claims.append(claim)
        return claim


@dataclass(frozen=True)
class ScopedCase:
    """A case with how it was chosen: ``partner``, ``region`` or ``global``."""

    case: Case
    scope: str


@dataclass(frozen=True)
class Evidence:
    """What retrieval returned for a pitch: hits in first-seen order."""

    hits: tuple[Hit, ...]

    def covers(self, citation: Citation) -> bool:
        """True if a retrieved chunk overlaps the citation's lines."""
        return any(h.chunk.doc_id == citation.doc_id and h.chunk.line_start <= citation.line_end
                   and citation.line_start <= h.chunk.line_end for h in self.hits)


class Planner:
    """Builds a :class:`DeckPlan` for (country, sector, language).

    Args:
        retriever: the hybrid index.
        vocab, glossary, bank, sdg, phrases: loaded reference data.
        settings: deck limits.
    """

    def __init__(self, retriever: Retriever, vocab: Vocabulary, glossary: Glossary, bank: StatementBank,
                 sdg: SdgCatalog, phrases: Phrases, doc_titles: dict[str, str], settings: PlanSettings | None = None) -> None:
        self.retriever = retriever
        self.vocab = vocab
        self.glossary = glossary
        self.bank = bank
        self.sdg = sdg
        self.phrases = phrases
        self.doc_titles = dict(doc_titles)
        self.settings = settings or PlanSettings()

    # -- evidence --------------------------------------------------------------
    def country_names_ja(self, country: str) -> list[str]:
        """Japanese names of a country from the glossary, else CLDR."""
        term = self.glossary.terms.get(f"country:{country}")
        names = [n for n in (term.forms.get("ja") if term else ()) or () if len(n) > 1]
        return names or [country_name(country, "ja")]

    def retrieve(self, country: str, sector: Sector) -> Evidence:
        """Run the sector's Japanese queries, alone and with the country name."""
        cja = self.country_names_ja(country)[0]
        queries = [f"{cja} {q}" for q in sector.query_ja] + list(sector.query_ja)
        seen: dict[str, Hit] = {}
        for q in queries:
            for h in self.retriever.search(q, "ja", self.settings.top_k):
                seen.setdefault(h.chunk.chunk_id, h)
        return Evidence(tuple(seen.values()))

    def select_cases(self, country: str, sector: Sector) -> list[ScopedCase]:
        """Karte cases of the sector: partner first, then region, then the rest."""
        region = self.vocab.region_of(country)
        cases = [case_from_chunk(c) for c in self.retriever.chunks if c.kind == "karte_row"]
        cases = [c for c in cases if c.country and c.events and sector.matches(c.chunk.text)]
        # field match first (the row is *about* the sector), then more stages reached, then line order
        def key(c: Case) -> tuple:
            return (0 if sector.matches(c.field_ja) else 1, -len({e.stage for e in c.events}), c.chunk.line_start)

        partner = sorted((c for c in cases if c.country == country), key=key)
        regional = sorted((c for c in cases if c.country != country and region and c.country in region.members), key=key)
        rest = sorted((c for c in cases if c.country != country and not (region and c.country in region.members)), key=key)
        out = [ScopedCase(c, "partner") for c in partner] + [ScopedCase(c, "region") for c in regional]
        out += [ScopedCase(c, "global") for c in rest]
        return out[: self.settings.max_cases]

    def pathway_cases(self, country: str, scoped: list[ScopedCase]) -> list[ScopedCase]:
        """Cases that went from agreement or survey to an order: the sector's own first,
        else any sector in the partner's country or region, else anywhere."""

        def went_to_order(c: Case) -> bool:
            stages = {e.stage for e in c.events}
            return "order" in stages and bool({"agreement", "survey"} & stages)

        own = [sc for sc in scoped if went_to_order(sc.case)]
        if own:
            return own
        region = self.vocab.region_of(country)
        cases = [case_from_chunk(c) for c in self.retriever.chunks if c.kind == "karte_row"]
        cases = [c for c in cases if c.country and went_to_order(c)]
        near = [ScopedCase(c, "partner" if c.country == country else "region") for c in cases
                if c.country == country or (region and c.country in region.members)]
        return near or [ScopedCase(c, "global") for c in cases]

    def statements(self, sector: Sector, role: str, country: str, evidence: Evidence) -> list[Statement]:
        """Bank statements usable for this partner, retrieved or about the partner."""
        region = self.vocab.region_of(country)
        out = []
        for st in self.bank.for_sector(sector.slug, role):
            about_partner = country in st.countries
            general = not st.countries
            neighbour = bool(region) and any(c in region.members for c in st.countries) and role in ("solution", "pathway", "outcome")
            if about_partner or ((general or neighbour) and evidence.covers(st.citation)):
                out.append(st)
        out.sort(key=lambda s: 0 if country in s.countries else 1)
        return out

    # -- sentences ---------------------------------------------------------------
    def case_field(self, case: Case, lang: Lang, fallback: Sector) -> str:
        """Label of a case's field in ``lang``.

        The glossary term its field cell names (統計ICT -> "thống kê"), else the
        sector its field or summary cell names, else ``fallback``'s name.
        """
        for term in self.glossary.find(case.field_ja, "ja"):
            if term.category != "country" and term.preferred(lang):
                return term.preferred(lang)
        for text in (case.field_ja, case.summary_ja):
            for s in self.vocab.sectors.values():
                if s.matches(text):
                    return s.names[lang]
        return fallback.names[lang]

    def event_text(self, ev: CaseEvent, lang: Lang) -> str:
        """Localized phrase for one event, with its level qualifier."""
        text = self.phrases.get(lang, f"event.{ev.phrase}", n=ev.count)
        if ev.level and ev.kind in ("mou", "joint_statement", "meeting"):
            text += self.phrases.get(lang, f"level.{ev.level}")
        return text

    def event_date(self, ev: CaseEvent, lang: Lang) -> str:
        """Localized date of an event."""
        return format_event_date(self.phrases, lang, ev.year, ev.month, ev.year_end, ev.fiscal)

    @staticmethod
    def _citation(case: Case, ev: CaseEvent) -> Citation:
        ch = case.chunk
        return Citation(doc_id=ch.doc_id, source_file=ch.source_file, line_start=ch.line_start, line_end=ch.line_end, quote=ev.quote)

    # -- the plan ------------------------------------------------------------------
    def plan(self, country: str, sector_slug: str, lang: Lang, generated_on: str) -> tuple[DeckPlan, Evidence]:
        """Build the deck plan; also returns the retrieved evidence (for claims.json).

        Args:
            country: ISO 3166-1 alpha-2 (validated by the caller).
            sector_slug: sector slug (validated here).
            lang: output language.
            generated_on: ISO date shown on the title slide.

        Raises:
            UnknownValueError: unknown sector.
        """
        sector = self.vocab.sector(sector_slug)
        ph = self.phrases
        cname = country_name(country, lang)
        sname = sector.names[lang]
        evidence = self.retrieve(country, sector)
        d = _Draft(lang=lang)
        slides: list[Slide] = []

        def bullets_for(role: str, kind: str) -> list[Bullet]:
            out = []
            for st in self.statements(sector, role, country, evidence)[: self.settings.max_bullets]:
                claim = d.add(kind, st.text[lang], [st.citation], country=country if country in st.countries else None)
                out.append(Bullet(text=claim.text, claim_id=claim.claim_id))
            return out

        def content(role: str, title: str, bullets: list[Bullet], notes: tuple[str, ...] = ()) -> None:
            if not bullets:
                bullets = [Bullet(text=ph.get(lang, "empty"))]
            slides.append(Slide(role=role, layout="pitch-content", title=title, bullets=tuple(bullets), notes=notes))
            d.slide_no += 1

        # 1 title
        slides.append(Slide(role="title", layout="pitch-title", title=ph.get(lang, "slide.title", sector=sname, country=cname),
                            subtitle=ph.get(lang, "slide.subtitle", date=generated_on)))
        d.slide_no += 1
        # 2 challenge
        content("challenge", ph.get(lang, "slide.challenge", country=cname), bullets_for("challenge", "challenge"))
        # 3 solution and outputs
        sol = bullets_for("solution", "output")
        content("solution", ph.get(lang, "slide.solution"), sol[: self.settings.max_bullets])
        # 4 chain
        chains = self.bank.chains_for(sector.slug)
        slides.append(self._chain_slide(d, chains, lang))
        d.slide_no += 1
        # 5 cases: timeline table; 6 case facts
        scoped = self.select_cases(country, sector)
        scope_lines = self._scope_lines(scoped, country, lang)
        slides.append(self._case_table(d, scoped, lang, sector, scope_lines))
        d.slide_no += 1
        content("cases", ph.get(lang, "slide.case_facts"), self._case_facts(d, scoped, lang, sector))
        # 7 pathway
        path = bullets_for("pathway", "pathway") + self._case_pathways(d, self.pathway_cases(country, scoped), lang, sector)
        content("pathway", ph.get(lang, "slide.pathway"), path[: self.settings.max_bullets + 1])
        # 8 next steps
        content("next_steps", ph.get(lang, "slide.next_steps"), bullets_for("next_step", "next_step"))

        logframe = tuple(self._logframe_row(c, d, lang) for c in chains)
        return DeckPlan(
            country=country, country_name=cname, sector=sector.slug, sector_name=sname, lang=lang,
            slides=tuple(slides), claims=tuple(d.claims), logframe=logframe,
            summary=ph.get(lang, "brief.summary", country=cname, sector=sname),
            case_scope_note=" · ".join(scope_lines), generated_on=generated_on,
            doc_titles=self.doc_titles,
        ), evidence

    # -- slide builders --------------------------------------------------------------
    def _sdg_cell(self, chain: Chain, lang: Lang) -> str:
        parts = []
        for t in chain.sdg_targets:
            txt = self.sdg.target(t, lang)
            note = f" {self.phrases.get(lang, 'fallback.target', language=language_name(txt.fallback_lang, lang))}" if txt.fallback_lang else ""
            parts.append(f"{t}: {txt.text}{note}")
        return "\n".join(parts)

    def _chain_slide(self, d: _Draft, chains: list[Chain], lang: Lang) -> Slide:
        ph = self.phrases
        rows: list[tuple[str, ...]] = [(ph.get(lang, "col.output"), ph.get(lang, "col.outcome"), ph.get(lang, "col.sdg"))]
        for ch in chains:
            o = d.add("output", ch.output.text[lang], [ch.output.citation])
            oc = d.add("outcome", ch.outcome.text[lang], [ch.outcome.citation])
            rows.append((f"{o.text} [{o.marker}]", f"{oc.text} [{oc.marker}]", self._sdg_cell(ch, lang)))
        bullets = () if chains else (Bullet(text=ph.get(lang, "empty")),)
        notes = (ph.get(lang, "notes.sdg_source"),) + tuple(
            f"{ch.chain_id}: {ch.rationale.get(lang) or ch.rationale.get('en', '')}" for ch in chains)
        return Slide(role="chain", layout="pitch-table", title=ph.get(lang, "slide.chain"),
                     table=tuple(rows) if chains else (), bullets=bullets, notes=notes)

    def _scope_lines(self, scoped: list[ScopedCase], country: str, lang: Lang) -> list[str]:
        ph = self.phrases
        counts = {s: sum(1 for c in scoped if c.scope == s) for s in ("partner", "region", "global")}
        lines = []
        cname = country_name(country, lang)
        if counts["partner"]:
            lines.append(ph.get(lang, "scope.partner", country=cname, n=counts["partner"]))
        else:
            lines.append(ph.get(lang, "scope.none", country=cname))
        region = self.vocab.region_of(country)
        if counts["region"] and region:
            lines.append(ph.get(lang, "scope.region", region=region.names[lang], n=counts["region"]))
        if counts["global"]:
            lines.append(ph.get(lang, "scope.global", n=counts["global"]))
        return lines

    def _case_table(self, d: _Draft, scoped: list[ScopedCase], lang: Lang, sector: Sector, scope_lines: list[str]) -> Slide:
        ph = self.phrases
        header = (ph.get(lang, "col.case"),) + tuple(ph.get(lang, f"stage.{s}") for s in STAGES)
        rows: list[tuple[str, ...]] = [header]
        for sc in scoped:
            case = sc.case
            cn = country_name(case.country, lang)
            field_name = self.case_field(case, lang, sector)
            cells = [f"{cn} — {field_name}"]
            for stage, events in case.by_stage().items():
                parts = []
                for ev in events:
                    claim = self._event_claim(d, sc, ev, lang, sector)
                    yr = f"{ev.year}–{ev.year_end}" if ev.year_end else str(ev.year)
                    parts.append(f"{yr} [{claim.marker}]")
                cells.append(" · ".join(parts))
            rows.append(tuple(cells))
        return Slide(role="cases", layout="pitch-table", title=ph.get(lang, "slide.cases"),
                     table=tuple(rows) if scoped else (), bullets=tuple(Bullet(text=s) for s in scope_lines))

    def _event_claim(self, d: _Draft, sc: ScopedCase, ev: CaseEvent, lang: Lang, sector: Sector) -> Claim:
        case = sc.case
        text = self.phrases.get(lang, "claim.event", country=country_name(case.country, lang),
                                field=self.case_field(case, lang, sector), date=self.event_date(ev, lang),
                                event=self.event_text(ev, lang))
        return d.add("case_event", text, [self._citation(case, ev)], country=case.country, scope=sc.scope)

    def _case_facts(self, d: _Draft, scoped: list[ScopedCase], lang: Lang, sector: Sector) -> list[Bullet]:
        """Per case, its furthest-stage event (the result), best cases first."""
        out = []
        for sc in scoped[: self.settings.max_bullets]:
            events = sorted(sc.case.events, key=lambda e: (STAGES.index(e.stage), e.year))
            if events:
                claim = self._event_claim(d, sc, events[-1], lang, sector)
                out.append(Bullet(text=claim.text, claim_id=claim.claim_id))
        return out

    def _case_pathways(self, d: _Draft, scoped: list[ScopedCase], lang: Lang, sector: Sector) -> list[Bullet]:
        """One multi-citation claim per case (from :meth:`pathway_cases`): agreement → survey → order."""
        out = []
        for sc in scoped:
            steps, cites = [], []
            firsts = [min((e for e in sc.case.events if e.stage == st), key=lambda e: (e.year, e.month or 0), default=None)
                      for st in ("agreement", "survey", "order")]
            for ev in sorted((e for e in firsts if e), key=lambda e: (e.year, e.month or 0)):
                steps.append(f"{self.event_text(ev, lang)} ({self.event_date(ev, lang)})")
                cites.append(self._citation(sc.case, ev))
            text = self.phrases.get(lang, "claim.pathway", country=country_name(sc.case.country, lang),
                                    field=self.case_field(sc.case, lang, sector),
                                    steps=self.phrases.get(lang, "arrow").join(steps))
            claim = d.add("pathway", text, cites, country=sc.case.country, scope=sc.scope)
            out.append(Bullet(text=claim.text, claim_id=claim.claim_id))
            if len(out) >= self.settings.max_pathways:
                break
        return out

    def _logframe_row(self, chain: Chain, d: _Draft, lang: Lang) -> LogframeRow:
        out = next(c for c in d.claims if c.text == chain.output.text[lang] and c.kind == "output")
        oc = next(c for c in d.claims if c.text == chain.outcome.text[lang] and c.kind == "outcome")
        goals = dict.fromkeys(t.split(".")[0] for t in chain.sdg_targets)
        impact = []
        for g in goals:
            gs = self.sdg.goal_short(g, lang)
            mark = f" {self.phrases.get(lang, 'unofficial')}" if gs.unofficial else ""
            impact.append(f"{self.phrases.get(lang, 'sdg.abbr')} {g}: {gs.text}{mark}")
        indicators = []
        for i in chain.indicators:
            it = self.sdg.indicator(i, lang)
            note = f" {self.phrases.get(lang, 'fallback.target', language=language_name(it.fallback_lang, lang))}" if it.fallback_lang else ""
            indicators.append(f"{i}: {it.text}{note}")
        return LogframeRow(output=out.text, outcome=oc.text, impact="; ".join(impact),
                           sdg_target=self._sdg_cell(chain, lang), indicator="\n".join(indicators),
                           evidence=f"[{out.marker}][{oc.marker}]")
