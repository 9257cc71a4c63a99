"""Retrieval evaluation: labelled queries, span relevance, recall / nDCG / MRR.

Data: ``evals/queries.jsonl``, one query per line::

    {"id": "q01-ja", "need": "q01", "query": "中南米 地デジ日本方式 採用国", "lang": "ja",
     "relevant": [{"source_file": "000_8c8e251bf5ccc63e.txt", "line_start": 245, "line_end": 245}, ...]}

``need`` groups the same information need asked in several languages. Line
numbers are 1-based and inclusive, counted in the original corpus file exactly
as ``sed -n 'A,Bp'`` counts them (as in :class:`pitchgen.records.Chunk`).

Relevance. A retrieved chunk *satisfies* a relevant span when both come from
the same ``source_file`` and their line ranges share at least one line.
Adjacent ranges (``1-5`` and ``6-9``) do not overlap.

Metrics, for one query, over the top-``k`` ranked chunks (k = 10 by default):

* recall@k = |relevant spans satisfied by at least one top-k chunk| /
  |relevant spans|.
* nDCG@k with binary gains (Järvelin and Kekäläinen, "Cumulated gain-based
  evaluation of IR techniques", ACM TOIS 20(4), 2002): the chunk at rank i has
  gain 1 when it satisfies at least one relevant span that no higher-ranked
  chunk satisfied, else 0 (so several chunks on one span count once); the
  ideal ranking is ``min(n_relevant, k)`` ones. Computed with
  :func:`pitchgen.retrieve.fusion.ndcg_at_k`.
* MRR@k: 1 / rank of the first chunk that satisfies any relevant span, 0 when
  none is in the top k (Voorhees, "The TREC-8 Question Answering Track
  Report", 1999). Averaged over queries it is the mean reciprocal rank.

Retrieval modes (:data:`MODES`):

* ``"bm25"``: :meth:`HybridIndex.bm25_ranking` (glossary translation of
  non-Japanese queries + BM25 over fugashi lemmas);
* ``"dense"``: :meth:`HybridIndex.dense_ranking`;
* ``"hybrid"``: :meth:`HybridIndex.search`, the default configuration (RRF);
* ``"bm25_no_glossary"``: BM25 on the raw query's lemmas, with no glossary
  translation (the ablation that shows what the glossary buys). For Japanese
  queries it equals ``"bm25"``.

Everything except :func:`evaluate` and :func:`rank_chunks` is pure and needs no
index; those two only call the index's public query methods.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from pitchgen.errors import CorpusError, RetrievalError, UnknownValueError, VerificationError
from pitchgen.records import LANGS, Chunk, Lang
from pitchgen.retrieve.fusion import ndcg_at_k

if TYPE_CHECKING:
    from pitchgen.retrieve.index import HybridIndex

Mode = Literal["bm25", "dense", "hybrid", "bm25_no_glossary"]
"""Retrieval configurations the evaluation compares."""

MODES: tuple[Mode, ...] = get_args(Mode)

ALL = "all"
"""The ``lang`` label of the summary over every query."""


# -- records ------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    """A line span of one corpus file, 1-based inclusive.

    >>> Span("000_8c8e251bf5ccc63e.txt", 3, 5).overlaps(Span("000_8c8e251bf5ccc63e.txt", 5, 9))
    True
    >>> Span("000_8c8e251bf5ccc63e.txt", 3, 5).overlaps(Span("000_8c8e251bf5ccc63e.txt", 6, 9))
    False
    """

    source_file: str
    line_start: int
    line_end: int

    def __post_init__(self) -> None:
        if self.line_start < 1 or self.line_end < self.line_start:
            raise ValueError(f"bad span {self.line_start}-{self.line_end}: need 1 <= line_start <= line_end")

    def overlaps(self, other: Span) -> bool:
        """Same file and at least one shared line."""
        return (self.source_file == other.source_file
                and self.line_start <= other.line_end and other.line_start <= self.line_end)

    @classmethod
    def of(cls, chunk: Chunk) -> Span:
        """The span a chunk covers."""
        return cls(chunk.source_file, chunk.line_start, chunk.line_end)


@dataclass(frozen=True)
class Query:
    """One labelled query.

    Attributes:
        id: unique id, e.g. ``"q01-ja"``.
        need: id of the information need shared across languages, e.g. ``"q01"``.
        query: the query text in ``lang``.
        lang: query language.
        relevant: the relevant spans (at least one, no duplicates).
    """

    id: str
    need: str
    query: str
    lang: Lang
    relevant: tuple[Span, ...]


@dataclass(frozen=True)
class Scores:
    """Metrics of one ranking (each in [0, 1]).

    Attributes:
        recall: recall@k.
        ndcg: nDCG@k with binary, de-duplicated gains.
        mrr: reciprocal rank of the first relevant chunk within k, else 0.
        n_found: relevant spans satisfied in the top k.
        first_rank: 1-based rank of the first relevant chunk, or None.
        gains: per-rank gains (0/1) of the top-k chunks, length <= k.
    """

    recall: float
    ndcg: float
    mrr: float
    n_found: int
    first_rank: int | None
    gains: tuple[int, ...]


@dataclass(frozen=True)
class QueryResult:
    """A query's scores in one mode, with the top-k chunk ids for diagnosis."""

    query_id: str
    need: str
    lang: Lang
    n_relevant: int
    scores: Scores
    top_chunk_ids: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    """Mean metrics over ``n`` queries (macro average: every query weighs the same).

    Attributes:
        lang: a query language, or ``"all"``.
        n: number of queries (> 0).
        recall / ndcg / mrr: means of the per-query values, in [0, 1].
    """

    lang: str
    n: int
    recall: float
    ndcg: float
    mrr: float


@dataclass(frozen=True)
class Report:
    """Results of one mode over a query set.

    Attributes:
        mode: retrieval mode.
        k: cut-off (ranks counted), e.g. 10.
        per_query: results in query-file order.
        by_lang: one summary per language present, in :data:`LANGS` order.
        overall: summary over all queries (``lang == "all"``).
    """

    mode: Mode
    k: int
    per_query: tuple[QueryResult, ...]
    by_lang: tuple[Summary, ...]
    overall: Summary

    def summary(self, lang: str) -> Summary:
        """Summary for ``lang`` (or ``"all"``); raises KeyError when no query has it."""
        if lang == ALL:
            return self.overall
        for s in self.by_lang:
            if s.lang == lang:
                return s
        raise KeyError(lang)

    def as_dict(self) -> dict:
        """JSON-ready dict (tuples become lists)."""
        return asdict(self)


# -- loading ------------------------------------------------------------------

_QUERY_KEYS = {"id", "need", "query", "lang", "relevant"}
_SPAN_KEYS = {"source_file", "line_start", "line_end"}


def parse_query(line: str) -> Query:
    """Parse one JSONL line into a :class:`Query`.

    Raises:
        ValueError: the line is not valid JSON or breaks the schema (the
            message says which field).

    >>> q = parse_query('{"id": "q01-ja", "need": "q01", "query": "地デジ日本方式 採用国", "lang": "ja",'
    ...                 ' "relevant": [{"source_file": "000_8c8e251bf5ccc63e.txt", "line_start": 245, "line_end": 245}]}')
    >>> q.query, q.relevant[0].line_end
    ('地デジ日本方式 採用国', 245)
    """
    try:
        d = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(d, dict):
        raise ValueError("expected a JSON object")
    if set(d) != _QUERY_KEYS:
        missing, extra = sorted(_QUERY_KEYS - set(d)), sorted(set(d) - _QUERY_KEYS)
        raise ValueError(f"keys must be {sorted(_QUERY_KEYS)}" + (f"; missing {missing}" if missing else "")
                         + (f"; unexpected {extra}" if extra else ""))
    for key in ("id", "need", "query"):
        if not isinstance(d[key], str) or not d[key].strip():
            raise ValueError(f"{key!r} must be a non-empty string")
    if d["lang"] not in LANGS:
        raise ValueError(f"unknown lang {d['lang']!r}; valid: {', '.join(LANGS)}")
    rel = d["relevant"]
    if not isinstance(rel, list) or not rel:
        raise ValueError("'relevant' must be a non-empty list of spans (recall is undefined without one)")
    spans: list[Span] = []
    for j, r in enumerate(rel, start=1):
        if not isinstance(r, dict) or set(r) != _SPAN_KEYS:
            raise ValueError(f"relevant #{j} must have exactly the keys {sorted(_SPAN_KEYS)}")
        if not isinstance(r["source_file"], str) or not r["source_file"]:
            raise ValueError(f"relevant #{j}: source_file must be a non-empty string")
        if not all(type(r[k]) is int for k in ("line_start", "line_end")):
            raise ValueError(f"relevant #{j}: line_start and line_end must be integers")
        try:
            span = Span(r["source_file"], r["line_start"], r["line_end"])
        except ValueError as exc:
            raise ValueError(f"relevant #{j}: {exc}") from None
        if span in spans:
            raise ValueError(f"relevant #{j} repeats {span.source_file}:{span.line_start}-{span.line_end}")
        spans.append(span)
    return Query(id=d["id"], need=d["need"], query=d["query"], lang=d["lang"], relevant=tuple(spans))


def load_queries(path: str | Path) -> list[Query]:
    """Read a queries JSONL file (UTF-8, one object per line; blank lines skipped).

    Raises:
        CorpusError: the file is missing or empty, a line is malformed, or an
            id repeats; the error carries ``path`` and the 1-based ``line``.
    """
    path = Path(path)
    if not path.is_file():
        raise CorpusError("queries file missing", path=path, fix="restore evals/queries.jsonl from git")
    out: list[Query] = []
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                q = parse_query(line)
            except ValueError as exc:
                raise CorpusError(f"bad query line: {exc}", path=path, line=no,
                                  fix="fix that line (see the schema in pitchgen.evals_retrieval)") from None
            if q.id in seen:
                raise CorpusError(f"duplicate query id {q.id!r} (first on line {seen[q.id]})", path=path, line=no,
                                  fix="give every query a unique id")
            seen[q.id] = no
            out.append(q)
    if not out:
        raise CorpusError("queries file has no queries", path=path, fix="add one JSON object per line")
    return out


def check_spans_exist(queries: Iterable[Query], n_lines: Mapping[str, int], path: str | Path | None = None) -> None:
    """Fail loudly when a relevant span names an unknown file or lines past its end.

    Without this check such a span would silently score 0 in every mode.

    Args:
        n_lines: source_file -> number of lines (``SourceDocument.n_lines``).

    Raises:
        CorpusError: naming the query id and the span.
    """
    for q in queries:
        for s in q.relevant:
            if s.source_file not in n_lines:
                raise CorpusError(f"query {q.id}: relevant file {s.source_file!r} is not in the corpus", path=path,
                                  fix=f"use one of: {', '.join(sorted(n_lines))}")
            if s.line_end > n_lines[s.source_file]:
                raise CorpusError(f"query {q.id}: span {s.line_start}-{s.line_end} is past the end of "
                                  f"{s.source_file} ({n_lines[s.source_file]} lines)", path=path,
                                  fix="re-check the line numbers with sed -n 'A,Bp'")


# -- pure scoring --------------------------------------------------------------

def novel_gains(ranked: Sequence[Span], relevant: Sequence[Span], k: int) -> tuple[list[int], set[int]]:
    """Binary de-duplicated gains of the top-``k`` ranked spans.

    Args:
        ranked: retrieved spans, best first (any length; only ``k`` are read).
        relevant: the query's relevant spans.
        k: cut-off (>= 1).

    Returns:
        ``(gains, satisfied)``: ``gains[i]`` is 1 when ``ranked[i]`` satisfies
        a relevant span that no higher-ranked item satisfied, else 0
        (length ``min(len(ranked), k)``); ``satisfied`` holds the indices into
        ``relevant`` satisfied by the top k.

    >>> f = "000_8c8e251bf5ccc63e.txt"
    >>> novel_gains([Span(f, 1, 2), Span(f, 2, 2), Span(f, 9, 9)], [Span(f, 2, 3)], k=10)
    ([1, 0, 0], {0})
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    satisfied: set[int] = set()
    gains: list[int] = []
    for span in ranked[:k]:
        new = {j for j, r in enumerate(relevant) if j not in satisfied and span.overlaps(r)}
        gains.append(1 if new else 0)
        satisfied |= new
    return gains, satisfied


def score_ranking(ranked: Sequence[Span], relevant: Sequence[Span], k: int = 10) -> Scores:
    """recall@k, nDCG@k and MRR@k of one ranking (definitions in the module docstring).

    An empty ranking scores 0 on every metric.

    Raises:
        ValueError: ``relevant`` is empty or ``k < 1``.

    >>> f = "002_589c5af6fc00dccb.txt"
    >>> s = score_ranking([Span(f, 50, 50), Span(f, 110, 111)], [Span(f, 110, 112), Span(f, 875, 877)], k=10)
    >>> s.recall, s.mrr, round(s.ndcg, 4)
    (0.5, 0.5, 0.3869)
    """
    if not relevant:
        raise ValueError("relevant must not be empty")
    gains, satisfied = novel_gains(ranked, relevant, k)
    first = next((i for i, span in enumerate(ranked[:k], start=1) if any(span.overlaps(r) for r in relevant)), None)
    ideal = [1] * min(len(relevant), k)
    return Scores(
        recall=len(satisfied) / len(relevant),
        ndcg=ndcg_at_k(gains, ideal, k=k),
        mrr=1.0 / first if first else 0.0,
        n_found=len(satisfied),
        first_rank=first,
        gains=tuple(gains),
    )


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def summarise(results: Sequence[QueryResult], lang: str) -> Summary:
    """Macro means of ``results`` labelled ``lang`` (the caller filters).

    Raises:
        ValueError: ``results`` is empty (a mean over nothing is not 0).
    """
    if not results:
        raise ValueError(f"no results to summarise for {lang!r}")
    return Summary(lang=lang, n=len(results),
                   recall=_mean([r.scores.recall for r in results]),
                   ndcg=_mean([r.scores.ndcg for r in results]),
                   mrr=_mean([r.scores.mrr for r in results]))


def build_report(mode: Mode, k: int, results: Sequence[QueryResult]) -> Report:
    """Assemble a :class:`Report`: per-language summaries in :data:`LANGS` order, then overall."""
    by_lang = tuple(summarise([r for r in results if r.lang == lang], lang)
                    for lang in LANGS if any(r.lang == lang for r in results))
    return Report(mode=mode, k=k, per_query=tuple(results), by_lang=by_lang, overall=summarise(results, ALL))


# -- running against an index ---------------------------------------------------

class _NoGlossary:
    """Stands in for a Glossary: translates nothing (for ``bm25_no_glossary``)."""

    def to_japanese(self, query: str, lang: Lang) -> str:
        return ""


def _without_glossary(index: HybridIndex) -> HybridIndex:
    """A shallow copy of ``index`` whose BM25 sees only the raw query.

    The copy shares the loaded BM25 model and chunks; the original index is
    not modified.
    """
    bare = copy.copy(index)
    bare.glossary = _NoGlossary()  # type: ignore[assignment]
    return bare


def rank_chunks(index: HybridIndex, query: str, lang: Lang, mode: Mode, k: int = 10) -> list[Chunk]:
    """The top-``k`` chunks for ``query`` in ``mode``, best first.

    Raises:
        UnknownValueError: ``mode`` is not one of :data:`MODES`.
        RetrievalError: ``mode == "dense"`` but the index has no dense part
            (it would otherwise score a silent 0).
    """
    if mode not in MODES:
        raise UnknownValueError("mode", mode, MODES)
    if k < 1:
        raise ValueError("k must be >= 1")
    if mode == "hybrid":
        return [h.chunk for h in index.search(query, lang, top_k=k)]
    if mode == "dense":
        if not index.settings.dense:
            raise RetrievalError("the index was built without dense vectors, so mode 'dense' cannot be evaluated",
                                 fix="rebuild with dense retrieval enabled or leave out mode 'dense'")
        ids = index.dense_ranking(query, lang, k)
    elif mode == "bm25":
        ids = index.bm25_ranking(query, lang, k)
    else:
        ids = _without_glossary(index).bm25_ranking(query, lang, k)
    return [index.chunk(cid) for cid in ids[:k]]


def evaluate(index: HybridIndex, queries: Sequence[Query], mode: Mode, k: int = 10) -> Report:
    """Run every query in ``mode`` and score the top ``k`` chunks.

    Args:
        index: a loaded :class:`~pitchgen.retrieve.index.HybridIndex`.
        queries: from :func:`load_queries` (non-empty).
        mode: one of :data:`MODES`.
        k: cut-off for recall, nDCG and MRR (>= 1; 10 in the reports).

    Returns:
        A :class:`Report` with per-query scores, per-language and overall means.

    Raises:
        UnknownValueError / RetrievalError: see :func:`rank_chunks`.
        VerificationError: ``queries`` is empty.
    """
    if not queries:
        raise VerificationError("no queries to evaluate", fix="pass the queries from evals/queries.jsonl")
    results = []
    for q in queries:
        chunks = rank_chunks(index, q.query, q.lang, mode, k)
        scores = score_ranking([Span.of(c) for c in chunks], q.relevant, k)
        results.append(QueryResult(query_id=q.id, need=q.need, lang=q.lang, n_relevant=len(q.relevant),
                                   scores=scores, top_chunk_ids=tuple(c.chunk_id for c in chunks)))
    return build_report(mode, k, results)


# -- thresholds and presentation --------------------------------------------------

@dataclass(frozen=True)
class Thresholds:
    """Regression gates for ``--check``.

    Attributes:
        ja_hybrid_vs_bm25_ndcg_tolerance: hybrid's Japanese nDCG@k may be at
            most this much below BM25's (>= 0).
        min_recall: language -> floor for hybrid's mean recall@k, in [0, 1].
    """

    ja_hybrid_vs_bm25_ndcg_tolerance: float
    min_recall: Mapping[str, float]

    @classmethod
    def from_dict(cls, data: object, path: str | Path | None = None) -> Thresholds:
        """Parse the ``retrieval:`` section of ``evals/thresholds.yaml`` (already YAML-loaded).

        Raises:
            VerificationError: a key is missing or a value out of range.
        """
        fix = "see the comments in evals/thresholds.yaml"
        sec = data.get("retrieval") if isinstance(data, dict) else None
        if not isinstance(sec, dict):
            raise VerificationError("thresholds need a 'retrieval:' mapping", path=path, fix=fix)
        tol = sec.get("ja_hybrid_vs_bm25_ndcg_tolerance")
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or tol < 0:
            raise VerificationError(f"ja_hybrid_vs_bm25_ndcg_tolerance must be a number >= 0, got {tol!r}", path=path, fix=fix)
        floors = sec.get("min_recall_at_10")
        if not isinstance(floors, dict) or set(floors) != set(LANGS):
            raise VerificationError(f"min_recall_at_10 must give one floor per language: {', '.join(LANGS)}", path=path, fix=fix)
        for lang, v in floors.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise VerificationError(f"min_recall_at_10.{lang} must be in [0, 1], got {v!r}", path=path, fix=fix)
        return cls(float(tol), {lang: float(floors[lang]) for lang in LANGS})


def check_reports(reports: Mapping[str, Report], thresholds: Thresholds) -> list[str]:
    """Failed gates, one sentence each (empty when all pass).

    Gates: hybrid ja nDCG >= bm25 ja nDCG - tolerance; hybrid recall per
    language >= its floor.

    Raises:
        VerificationError: a report the gates need is missing.
    """
    for mode in ("hybrid", "bm25"):
        if mode not in reports:
            raise VerificationError(f"the checks need the {mode!r} report", fix="run all modes")
    hyb, bm = reports["hybrid"], reports["bm25"]
    fails: list[str] = []
    try:
        h_ja, b_ja = hyb.summary("ja").ndcg, bm.summary("ja").ndcg
    except KeyError:
        raise VerificationError("no Japanese queries: the ja nDCG gate cannot run", fix="add ja queries") from None
    tol = thresholds.ja_hybrid_vs_bm25_ndcg_tolerance
    if h_ja < b_ja - tol:
        fails.append(f"hybrid ja nDCG@{hyb.k} {h_ja:.4f} < bm25 ja nDCG@{bm.k} {b_ja:.4f} - tolerance {tol}")
    for lang, floor in thresholds.min_recall.items():
        try:
            r = hyb.summary(lang).recall
        except KeyError:
            raise VerificationError(f"no {lang} queries: the recall floor for {lang} cannot run",
                                    fix=f"add {lang} queries or remove its floor") from None
        if r < floor:
            fails.append(f"hybrid {lang} recall@{hyb.k} {r:.4f} < floor {floor}")
    return fails


def markdown_table(reports: Sequence[Report]) -> str:
    """A Markdown table: one row per mode x language (then ``all``), columns n, recall, nDCG, MRR.

    Values are rounded to 3 decimals.
    """
    if not reports:
        return ""
    k = reports[0].k
    lines = [f"| mode | lang | n | recall@{k} | nDCG@{k} | MRR@{k} |", "|---|---|---:|---:|---:|---:|"]
    for rep in reports:
        for s in (*rep.by_lang, rep.overall):
            lines.append(f"| {rep.mode} | {s.lang} | {s.n} | {s.recall:.3f} | {s.ndcg:.3f} | {s.mrr:.3f} |")
    return "\n".join(lines)
