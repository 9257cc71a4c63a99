"""Wiring: one frozen :class:`Config`, the loaded resources, and the end-to-end generate step.

Only the CLI builds a Config (from flags and environment); everything below
takes it as an argument. Nothing here reads the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pitchgen.corpus import Corpus
from pitchgen.errors import OutputExistsError
from pitchgen.generate.phrases import Phrases
from pitchgen.generate.planner import Evidence, Planner, PlanSettings
from pitchgen.generate.statements import StatementBank
from pitchgen.glossary import Glossary
from pitchgen.records import DeckPlan, Lang
from pitchgen.retrieve.index import HybridIndex, IndexSettings, Progress, open_index
from pitchgen.sdg import SdgCatalog
from pitchgen.vocab import Vocabulary


@dataclass(frozen=True)
class Config:
    """Effective configuration.

    Attributes:
        root: project folder holding ``corpus/`` and ``templates/``.
        cache_dir: where the index is persisted (``<cache_dir>/index``).
        index: retrieval settings.
        plan: deck limits.
        llm: LLM backend settings (:class:`pitchgen.llm.BackendSettings`); None writes template sentences.
        pt_variant: catalog used for Portuguese text: ``"pt_BR"`` (default) or ``"pt_PT"``.
    """

    root: Path
    cache_dir: Path
    index: IndexSettings = field(default_factory=IndexSettings)
    plan: PlanSettings = field(default_factory=PlanSettings)
    llm: object = None  # pitchgen.llm.BackendSettings; None = template sentences
    pt_variant: str = "pt_BR"

    @property
    def corpus_dir(self) -> Path:
        """``<root>/corpus``."""
        return self.root / "corpus"

    @property
    def index_dir(self) -> Path:
        """``<cache_dir>/index``."""
        return self.cache_dir / "index"


class Resources:
    """Reference data loaded once per process (lazily, each on first use)."""

    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def corpus(self) -> Corpus:
        """The policy corpus."""
        return Corpus(self.config.corpus_dir / "policy" / "manifest.yaml")

    @cached_property
    def vocab(self) -> Vocabulary:
        """Sectors and regions."""
        return Vocabulary(self.config.corpus_dir)

    @cached_property
    def glossary(self) -> Glossary:
        """The multilingual glossary."""
        return Glossary(self.config.corpus_dir / "glossary")

    @cached_property
    def bank(self) -> StatementBank:
        """The statement bank (validated against the corpus)."""
        return StatementBank(self.config.corpus_dir / "statements", self.corpus, self.config.corpus_dir / "sdg_map.yaml")

    @cached_property
    def sdg(self) -> SdgCatalog:
        """SDG goals, targets, indicators."""
        return SdgCatalog(self.config.corpus_dir / "sdg" / "sdg.json")

    @cached_property
    def casebook(self):
        """Case records (only those that pass every check reach a deck)."""
        from pitchgen.cases.store import CaseBook

        return CaseBook(self.config.corpus_dir / "cases", self.corpus, self.vocab, self.sdg)

    @cached_property
    def verifier(self):
        """The deterministic verifier over this corpus, glossary, outcome chains, regions and case-record SDG links."""
        from pitchgen.verify.verifier import Verifier, case_sdg_links, line_headings

        return Verifier(self.corpus, self.glossary, tuple(self.bank.chains.values()),
                        headings=line_headings(self.corpus, self.glossary),
                        regions={code: r.members for code, r in self.vocab.regions.items()},
                        case_links=case_sdg_links(self.casebook.records))

    @cached_property
    def phrases(self) -> Phrases:
        """Localized fixed text."""
        return Phrases(self.config.root / "locales", pt_variant=self.config.pt_variant)

    def index(self, progress: Progress | None = None, notify: Callable[[str], None] | None = None,
              rebuild: bool = False) -> HybridIndex:
        """Open (or build) the hybrid index."""
        return open_index(self.corpus, self.glossary, self.config.index, self.config.index_dir,
                          progress=progress or (lambda *a: None), notify=notify or (lambda m: None), rebuild=rebuild)

    def doc_titles(self, lang: Lang) -> dict[str, str]:
        """doc_id -> title shown in notes and references (Japanese title + English title)."""
        return {d.meta.doc_id: f"{d.meta.title_ja} / {d.meta.title_en}" for d in self.corpus.documents}


def claims_document(plan: DeckPlan, evidence: Evidence) -> dict:
    """The claims.json content: every claim with its citations, plus the retrieved evidence."""
    return {
        "format": 1,
        "country": plan.country,
        "sector": plan.sector,
        "lang": plan.lang,
        "locale": plan.locale or plan.lang,
        "generated_on": plan.generated_on,
        "case_scope_note": plan.case_scope_note,
        "claims": [c.model_dump() for c in plan.claims],
        "verdict_counts": {v: sum(1 for c in plan.claims if c.verdict == v) for v in ("supported", "unverified")},
        "rejected": list(plan.rejected),
        "generation": plan.generation,
        "retrieved": [
            {"chunk_id": h.chunk.chunk_id, "doc_id": h.chunk.doc_id, "source_file": h.chunk.source_file,
             "line_start": h.chunk.line_start, "line_end": h.chunk.line_end, "score": h.score}
            for h in evidence.hits
        ],
    }


def write_outputs(plan: DeckPlan, evidence: Evidence, res: Resources, out_dir: Path, force: bool) -> list[str]:
    """Render deck.pptx, brief.docx and claims.json into ``out_dir`` atomically.

    Everything is written to a temporary sibling folder first; only when all
    three files exist is it moved into place (replacing ``out_dir`` only with
    ``force``).

    Returns:
        renderer warnings (text that could not be fitted, ...).

    Raises:
        OutputExistsError: ``out_dir`` exists and ``force`` is False.
    """
    from pitchgen.render.docx_render import render_brief
    from pitchgen.render.pptx_render import render_deck

    out_dir = Path(out_dir)
    if out_dir.exists() and not force:
        raise OutputExistsError(f"output directory {out_dir} already exists", fix="choose another --out or add --force to replace it")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        templates = res.config.root / "templates"
        warnings = render_deck(plan, templates / "pptx" / "pitch_16x9.pptx", tmp / "deck.pptx")
        render_brief(plan, templates / "docx" / "brief.docx", tmp / "brief.docx", res.phrases.labels(plan.lang))
        doc = claims_document(plan, evidence)
        doc["render_warnings"] = list(warnings)
        (tmp / "claims.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
        if out_dir.exists():
            backup = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(backup, ignore_errors=True)
            os.replace(out_dir, backup)
            os.replace(tmp, out_dir)
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return list(warnings)


def generate(res: Resources, country: str, sector: str, lang: Lang, out_dir: Path, generated_on: str,
             force: bool = False, index: HybridIndex | None = None) -> tuple[DeckPlan, list[str]]:
    """Plan and write one pitch. See :func:`write_outputs` for errors."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not force:
        raise OutputExistsError(f"output directory {out_dir} already exists", fix="choose another --out or add --force to replace it")
    index = index or res.index()
    files = {d.meta.doc_id: d.meta.source_file for d in res.corpus.documents}
    backend = res.config.llm.build() if res.config.llm is not None else None
    if backend is not None and hasattr(backend, "warm_up"):
        backend.warm_up()
    planner = Planner(index, res.vocab, res.glossary, res.bank, res.sdg, res.phrases, res.doc_titles(lang),
                      res.casebook.records, files, res.config.plan, verifier=res.verifier, backend=backend)
    plan, evidence = planner.plan(country, sector, lang, generated_on)
    warnings = write_outputs(plan, evidence, res, out_dir, force)
    fallbacks = [f"slide {role}: template sentences used, {plan.generation['backend']} gave no usable answer "
                 f"after {rep.get('attempts', '?')} attempts (reason in claims.json, generation)"
                 for role, rep in plan.generation.get("slides", {}).items() if rep.get("fallback")]
    return plan, fallbacks + warnings
