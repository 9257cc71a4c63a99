"""The curated statement bank: partner-language sentences anchored on exact corpus quotes.

``corpus/statements/<sector>.yaml`` holds, per sector, short statements for
the challenge, solution (output), outcome, pathway and next-step slides, each
written natively in ja/vi/es/en/pt and anchored on one exact quote.
``corpus/sdg_map.yaml`` holds the output -> outcome -> impact -> SDG chains. Loading validates every anchor against the
corpus and every number of every text against its quote, so a bank entry can
never put an unsupported number on a slide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


from pitchgen.corpus import Corpus
from pitchgen.yamlio import load_yaml
from pitchgen.errors import CitationError, CorpusError
from pitchgen.records import LANGS, Citation, Lang
from pitchgen.verify.numbers import unmatched_numbers

Role = Literal["challenge", "solution", "outcome", "pathway", "next_step"]
ROLES: tuple[str, ...] = ("challenge", "solution", "outcome", "pathway", "next_step")


@dataclass(frozen=True)
class Statement:
    """One anchored statement.

    Attributes:
        statement_id: unique id, e.g. ``"dp-challenge-01"``.
        sector: sector slug.
        role: slide role.
        countries: ISO2 codes the statement is about (empty: general).
        citation: its anchor (verified at load).
        text: language -> sentence.
    """

    statement_id: str
    sector: str
    role: str
    countries: tuple[str, ...]
    citation: Citation
    text: dict[str, str]


@dataclass(frozen=True)
class Chain:
    """An output -> outcome -> impact -> SDG chain (``corpus/sdg_map.yaml``), for the logframe and chain slide.

    Attributes:
        output / outcome: anchored statements (texts in 5 languages, verified quotes).
        link_rationale / link_citation: why and where the source ties the output to the outcome.
        impact_goal / impact_rationale: the SDG goal the outcome contributes to.
        sdg_targets: target ids; ``target_rationales`` maps each to its one-line rationale.
        indicators: official indicator ids under those targets.
    """

    chain_id: str
    sector: str
    output: Statement
    outcome: Statement
    sdg_targets: tuple[str, ...]
    indicators: tuple[str, ...]
    link_rationale: str = ""
    link_citation: Citation | None = None
    impact_goal: str = ""
    impact_rationale: str = ""
    target_rationales: dict[str, str] | None = None


def _line_of(raw_text: str, needle: str) -> int | None:
    for i, line in enumerate(raw_text.splitlines(), start=1):
        if needle in line:
            return i
    return None


class StatementBank:
    """All statements and chains, validated against the corpus.

    Raises:
        CorpusError / CitationError: with file and line of the bad entry and
            the fix (quote not in the cited lines, number not in the quote,
            unknown role, missing language, duplicate id).
    """

    def __init__(self, statements_dir: str | Path, corpus: Corpus, sdg_map: str | Path | None = None) -> None:
        self.dir = Path(statements_dir)
        self.statements: dict[str, Statement] = {}
        self.chains: dict[str, Chain] = {}
        if not self.dir.is_dir():
            raise CorpusError("statement bank folder missing", path=self.dir, fix="restore corpus/statements/ from git")
        for path in sorted(self.dir.glob("*.yaml")):
            self._load(path, corpus)
        if sdg_map is not None:
            self._load_sdg_map(Path(sdg_map), corpus)

    def _load_sdg_map(self, path: Path, corpus: Corpus) -> None:
        """Chains of ``corpus/sdg_map.yaml``: every link's source verified like a statement's."""
        data, raw_text = load_yaml(path, missing_fix="restore corpus/sdg_map.yaml from git")
        for sector, entry in (data.get("sectors") or {}).items():
            for e in (entry or {}).get("chains") or []:
                cid = str(e.get("id"))
                line = _line_of(raw_text, cid)
                out = self._statement({**e["output"], "id": f"{cid}/output", "role": "solution"}, sector, path, raw_text, corpus, anchor=cid)
                oc = self._statement({**e["outcome"], "id": f"{cid}/outcome", "role": "outcome"}, sector, path, raw_text, corpus, anchor=cid)
                link = (e.get("outcome") or {}).get("link") or {}
                link_cit = None
                if link.get("source"):
                    src = link["source"]
                    try:
                        link_cit = corpus.cite(str(src["doc_id"]), int(src["line_start"]), int(src["line_end"]), str(src["quote"]))
                    except (CitationError, KeyError, ValueError) as exc:
                        raise CitationError(f"chain {cid} link: {getattr(exc, 'message', exc)}", path=path, line=line,
                                            fix="copy the quote verbatim from the cited lines") from exc
                targets = [t for t in e.get("targets") or []]
                if cid in self.chains:
                    raise CorpusError(f"duplicate chain id {cid}", path=path, line=line, fix="make chain ids unique")
                self.chains[cid] = Chain(
                    chain_id=cid, sector=str(sector), output=out, outcome=oc,
                    sdg_targets=tuple(str(t["id"]) for t in targets),
                    indicators=tuple(str(i) for i in e.get("indicators") or ()),
                    link_rationale=str(link.get("rationale", "")), link_citation=link_cit,
                    impact_goal=str((e.get("impact") or {}).get("goal", "")),
                    impact_rationale=str((e.get("impact") or {}).get("rationale", "")),
                    target_rationales={str(t["id"]): str(t.get("rationale", "")) for t in targets},
                )

    def _load(self, path: Path, corpus: Corpus) -> None:
        data, raw_text = load_yaml(path)
        sector = str(data.get("sector") or path.stem)
        for e in data.get("statements") or []:
            st = self._statement(e, sector, path, raw_text, corpus)
            if st.role not in ROLES:
                raise CorpusError(f"statement {st.statement_id}: unknown role {st.role!r}", path=path,
                                  line=_line_of(raw_text, st.statement_id), fix=f"use one of {', '.join(ROLES)}")
            self._add_statement(st, path, raw_text)

    def _add_statement(self, st: Statement, path: Path, raw_text: str) -> None:
        if st.statement_id in self.statements:
            raise CorpusError(f"duplicate statement id {st.statement_id}", path=path,
                              line=_line_of(raw_text, st.statement_id), fix="make statement ids unique")
        self.statements[st.statement_id] = st

    @staticmethod
    def _statement(e: dict, sector: str, path: Path, raw_text: str, corpus: Corpus, anchor: str | None = None) -> Statement:
        sid = str(e.get("id"))
        line = _line_of(raw_text, anchor or sid)
        src = e.get("source") or {}
        try:
            doc = corpus.get(str(src.get("doc_id")))
            citation = Citation(doc_id=doc.meta.doc_id, source_file=doc.meta.source_file,
                                line_start=int(src["line_start"]), line_end=int(src["line_end"]), quote=str(src["quote"]))
            corpus.resolve(citation)
        except (CitationError, KeyError, ValueError, TypeError) as exc:
            msg = exc.message if isinstance(exc, CitationError) else f"bad source ({exc})"
            raise CitationError(f"statement {sid}: {msg}", path=path, line=line,
                                fix="copy the quote verbatim from the cited lines (sed -n 'A,Bp' FILE)") from exc
        text = {str(k): str(v) for k, v in (e.get("text") or {}).items()}
        missing = [lg for lg in LANGS if not text.get(lg)]
        if missing:
            raise CorpusError(f"statement {sid}: no text in {', '.join(missing)}", path=path, line=line,
                              fix="write the sentence in every language (ja, vi, es, en, pt)")
        for lg, sentence in text.items():
            bad = unmatched_numbers(sentence, lg, citation.quote)
            if bad:
                raise CorpusError(f"statement {sid} ({lg}): number(s) {bad} are not in its quote", path=path, line=line,
                                  fix="remove the number or cite a quote that holds it")
        return Statement(statement_id=sid, sector=sector, role=str(e.get("role")),
                         countries=tuple(str(c) for c in e.get("countries") or ()), citation=citation, text=text)

    def for_sector(self, sector: str, role: str) -> list[Statement]:
        """Statements of one sector and role, in file order."""
        return [s for s in self.statements.values() if s.sector == sector and s.role == role]

    def chains_for(self, sector: str) -> list[Chain]:
        """Chains of one sector, in file order."""
        return [c for c in self.chains.values() if c.sector == sector]

    def text(self, st: Statement, lang: Lang) -> str:
        """The statement in ``lang``."""
        return st.text[lang]
