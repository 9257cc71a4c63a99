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

from pitchgen.cases.select import ScopedRecord, select_for_pitch
from pitchgen.generate.case_slides import CaseWriter
from pitchgen.records import CaseRecord
from pitchgen.generate.phrases import Phrases
from pitchgen.generate.statements import Chain, Statement, StatementBank
from pitchgen.glossary import Glossary
from pitchgen.records import Bullet, Citation, Claim, DeckPlan, Hit, Lang, LogframeRow, Slide
from pitchgen.sdg import SdgCatalog
from pitchgen.verify.verifier import SpanRef, Verdict, Verifier
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
    """Mutable builder state (internal). Every claim passes the verifier before it is kept:
    contradicted or unsupported claims are never written (they go to ``rejected``)."""

    lang: Lang
    verifier: Verifier | None = None
    claims: list[Claim] = field(default_factory=list)
    rejected: list[Verdict] = field(default_factory=list)
    slide_no: int = 1
    _verdicts: dict = field(default_factory=dict)

    def verdict(self, text: str, citations: Sequence[Citation]) -> Verdict:
        """The verifier's verdict, computed once per (text, citations)."""
        key = (text, tuple(citations))
        if key not in self._verdicts:
            refs = [SpanRef(doc=c.doc_id, line_start=c.line_start, line_end=c.line_end, quote=c.quote) for c in citations]
            self._verdicts[key] = self.verifier.verify(f"c{len(self.claims) + 1:02d}", text, self.lang, refs)
        return self._verdicts[key]

    def accepts(self, text: str, citations: Sequence[Citation]) -> bool:
        """Whether the verifier would keep this claim (supported or unverified)."""
        return self.verifier is None or self.verdict(text, citations).verdict not in ("contradicted", "unsupported")

    def add(self, kind: str, text: str, citations: Sequence[Citation], *, country: str | None = None,
            scope: str | None = None, record_refusal: bool = True) -> Claim | None:
        """Keep the claim if the verifier accepts it; ``record_refusal=False`` for a first try
        that the caller will rephrase (only the last refusal goes to claims.json)."""
        for c in self.claims:  # a claim shown twice keeps its first marker
            if c.text == text and c.citations == tuple(citations):
                return c
        verdict, reasons = None, ()
        if self.verifier is not None:
            v = self.verdict(text, citations)
            if v.verdict in ("contradicted", "unsupported"):
                if record_refusal:
                    self.rejected.append(v)
                return None
            verdict = v.verdict
            reasons = tuple(f"{r.check} {r.anchor}: {r.outcome}" for r in v.reasons)
        claim = Claim(
            claim_id=f"c{len(self.claims) + 1:02d}", text=text, lang=self.lang, slide=self.slide_no, kind=kind,
            marker=len(self.claims) + 1, citations=tuple(citations), case_country=country, scope=scope,
            verdict=verdict, reasons=reasons,
        )
        self.claims.append(claim)
        return claim


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
        doc_titles / doc_files: doc_id -> title shown in notes / original file name.
        cases: valid case records (corpus/cases/).
        verifier: checks every claim before it is kept (None only in unit tests of layout).
        backend: an LLM backend (:mod:`pitchgen.llm`); None or ``template`` writes template sentences only.
        settings: deck limits.
    """

    def __init__(self, retriever: Retriever, vocab: Vocabulary, glossary: Glossary, bank: StatementBank,
                 sdg: SdgCatalog, phrases: Phrases, doc_titles: dict[str, str], cases: Sequence[CaseRecord],
                 doc_files: dict[str, str], settings: PlanSettings | None = None, verifier: Verifier | None = None,
                 backend=None) -> None:
        self.retriever = retriever
        self.verifier = verifier
        self.backend = backend
        self.cases = tuple(cases)
        self.writer = CaseWriter(vocab, glossary, phrases, doc_files)
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
        d = _Draft(lang=lang, verifier=self.verifier)
        slides: list[Slide] = []

        llm_reports: dict[str, dict] = {}

        def drafted(role: str, slide_role: str, kind: str) -> list[Bullet] | None:
            """Model-drafted claims for a slide, each verified; None means: use the template sentences."""
            if self.backend is None or getattr(self.backend, "name", "template") == "template":
                return None
            from pitchgen.llm.prompting import SlideClaimsInput, draft_with_retry, evidence_from, to_citations

            hits = [h for h in evidence.hits if h.chunk.kind == "text"][:8]
            if not hits:
                return None
            inp = SlideClaimsInput(lang=lang, country_name=cname, sector_name=sname, slide_role=slide_role,
                                   evidence=evidence_from(hits), max_claims=min(4, self.settings.max_bullets))
            claims, report = draft_with_retry(self.backend, inp, lambda dc: d.accepts(dc.text, to_citations(dc, inp)))
            llm_reports[slide_role] = report
            out = []
            for dc in claims:
                claim = d.add(kind, dc.text, to_citations(dc, inp))
                if claim is not None:
                    out.append(Bullet(text=claim.text, claim_id=claim.claim_id))
            return out or None

        def bullets_for(role: str, kind: str, limit: int | None = None) -> list[Bullet]:
            slide_role = {"challenge": "challenge", "solution": "solution", "next_step": "next_steps"}.get(role)
            if slide_role:
                got = drafted(role, slide_role, kind)
                if got is not None:
                    return got
            out = []
            for st in self.statements(sector, role, country, evidence)[: limit or self.settings.max_bullets]:
                claim = d.add(kind, st.text[lang], [st.citation], country=country if country in st.countries else None)
                if claim is not None:
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
        # 5 cases: timeline table; 6 case results (partner first, then region, then elsewhere)
        scoped = select_for_pitch(self.cases, country, sector.slug, self.vocab, self.settings.max_cases)
        scope_lines = self._scope_lines(scoped, country, lang)
        slides.append(self.writer.table(d, scoped, lang, scope_lines))
        d.slide_no += 1
        fact_notes: list[str] = []
        facts = self.writer.facts(d, scoped, lang, self.settings.max_bullets, self.sdg, fact_notes)
        content("cases", ph.get(lang, "slide.case_facts"), facts, tuple(fact_notes))
        # 7 pathway: the bank's pathway statements, then real cases that reached an order, with their financing
        routes = self.writer.pathway_records(self.cases, country, scoped)
        amount_notes: list[str] = []
        path = bullets_for("pathway", "pathway", max(1, self.settings.max_bullets - 2 * self.settings.max_pathways))
        path += self.writer.pathways(d, routes, lang, self.settings.max_pathways, amount_notes)
        content("pathway", ph.get(lang, "slide.pathway"), path, tuple(amount_notes))
        # 8 next steps
        content("next_steps", ph.get(lang, "slide.next_steps"), bullets_for("next_step", "next_step"))

        logframe = tuple(r for r in (self._logframe_row(c, d, lang) for c in chains) if r is not None)
        slides = [self._mark_unverified(sl, n, d, lang) for n, sl in enumerate(slides, start=1)]
        # a slide whose model answer was unusable says so in its notes (and claims.json has the reason)
        backend_name = getattr(self.backend, "name", "template") if self.backend else "template"
        slides = [sl.model_copy(update={"notes": sl.notes + (ph.get(lang, "notes.llm_fallback", backend=backend_name),)})
                  if llm_reports.get(sl.role, {}).get("fallback") else sl for sl in slides]
        return DeckPlan(
            country=country, country_name=cname, sector=sector.slug, sector_name=sname, lang=lang,
            slides=tuple(slides), claims=tuple(d.claims), logframe=logframe,
            summary=ph.get(lang, "brief.summary", country=cname, sector=sname),
            case_scope_note=" · ".join(scope_lines), generated_on=generated_on, locale=ph.locale(lang),
            doc_titles=self.doc_titles,
            generation={"backend": getattr(self.backend, "name", "template") if self.backend else "template",
                        "slides": llm_reports},
            rejected=tuple(f"{v.claim} — " + "; ".join(f"{r.check} {r.anchor}: {r.outcome} ({r.detail})"
                                                      for r in v.reasons if r.outcome != "supported") for v in d.rejected),
        ), evidence

    def _mark_unverified(self, slide: Slide, number: int, d: _Draft, lang: Lang) -> Slide:
        """Speaker notes flag every claim on the slide that no check could verify."""
        flags = tuple(self.phrases.get(lang, "notes.unverified", n=c.marker) for c in d.claims
                      if c.slide == number and c.verdict == "unverified")
        return slide.model_copy(update={"notes": slide.notes + flags}) if flags else slide

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
            if not (d.accepts(ch.output.text[lang], [ch.output.citation]) and d.accepts(ch.outcome.text[lang], [ch.outcome.citation])):
                continue  # a chain is shown whole or not at all
            o = d.add("output", ch.output.text[lang], [ch.output.citation])
            oc = d.add("outcome", ch.outcome.text[lang], [ch.outcome.citation])
            if o is None or oc is None:
                continue
            rows.append((f"{o.text} [{o.marker}]", f"{oc.text} [{oc.marker}]", self._sdg_cell(ch, lang)))
        bullets = () if chains else (Bullet(text=ph.get(lang, "empty")),)
        notes = (ph.get(lang, "notes.sdg_source"),) + tuple(
            f"{ch.chain_id}: {ch.link_rationale} {ch.impact_rationale} "
            + " ".join(f"{t}: {r}" for t, r in (ch.target_rationales or {}).items()) for ch in chains)
        return Slide(role="chain", layout="pitch-table", title=ph.get(lang, "slide.chain"),
                     table=tuple(rows) if chains else (), bullets=bullets, notes=notes)

    def _scope_lines(self, scoped: Sequence[ScopedRecord], country: str, lang: Lang) -> list[str]:
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

    def _logframe_row(self, chain: Chain, d: _Draft, lang: Lang) -> LogframeRow | None:
        out = next((c for c in d.claims if c.text == chain.output.text[lang] and c.kind == "output"), None)
        oc = next((c for c in d.claims if c.text == chain.outcome.text[lang] and c.kind == "outcome"), None)
        if out is None or oc is None:
            return None  # the verifier rejected a link of this chain: no logframe row rests on it
        goals = [chain.impact_goal] if chain.impact_goal else list(dict.fromkeys(t.split(".")[0] for t in chain.sdg_targets))
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
