"""Tests for pitchgen.evals_retrieval: span relevance, recall / nDCG / MRR, query loading.

Order (house style): records and bad values, round trip of the query file,
metric edge cases on hand-made rankings (touching spans, other file,
duplicate chunks, empty ranking, mixed scripts), aggregation and gates, then
a run of every mode against a duck-typed fake index (no model, no index on
disk). Everything here is pure and runs in well under 2 s.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pitchgen.errors import CorpusError, RetrievalError, UnknownValueError, VerificationError
from pitchgen.evals_retrieval import (
    ALL,
    MODES,
    Query,
    QueryResult,
    Scores,
    Span,
    Thresholds,
    build_report,
    check_reports,
    check_spans_exist,
    evaluate,
    load_queries,
    markdown_table,
    novel_gains,
    parse_query,
    score_ranking,
    summarise,
)
from pitchgen.records import LANGS, Chunk, Hit
from pitchgen.retrieve.fusion import ndcg_at_k

F0 = "000_8c8e251bf5ccc63e.txt"
F2 = "002_589c5af6fc00dccb.txt"


def _line(**over) -> str:
    d = {"id": "q01-ja", "need": "q01", "query": "中南米 地デジ日本方式 採用国", "lang": "ja",
         "relevant": [{"source_file": F0, "line_start": 245, "line_end": 245}]}
    d.update(over)
    return json.dumps(d, ensure_ascii=False)


def _log2(i: int) -> float:
    return math.log2(i + 1)


# -- records and bad values -------------------------------------------------------

def test_span_rejects_bad_ranges():
    with pytest.raises(ValueError):
        Span(F0, 0, 3)
    with pytest.raises(ValueError):
        Span(F0, 5, 4)


def test_parse_query_fields():
    q = parse_query(_line())
    assert q == Query("q01-ja", "q01", "中南米 地デジ日本方式 採用国", "ja", (Span(F0, 245, 245),))


@pytest.mark.parametrize("line, fragment", [
    ("{not json", "invalid JSON"),
    ("[1, 2]", "JSON object"),
    (_line(lang="fr"), "unknown lang 'fr'"),
    (_line(relevant=[]), "non-empty list"),
    (_line(query="  "), "'query' must be a non-empty string"),
    (_line(relevant=[{"source_file": F0, "line_start": 9, "line_end": 3}]), "relevant #1"),
    (_line(relevant=[{"source_file": F0, "line_start": "9", "line_end": 9}]), "integers"),
    (_line(relevant=[{"source_file": F0, "line_start": 1, "line_end": 1}] * 2), "relevant #2 repeats"),
    (json.dumps({"id": "x", "query": "q", "lang": "ja", "relevant": []}), "missing ['need']"),
])
def test_parse_query_bad_values(line, fragment):
    with pytest.raises(ValueError, match=None) as info:
        parse_query(line)
    assert fragment in str(info.value)


def test_load_queries_bad_line_names_file_and_line(tmp_path: Path):
    p = tmp_path / "queries.jsonl"
    p.write_text(_line() + "\n\n" + _line(id="q01-vi", lang="xx") + "\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_queries(p)
    assert info.value.line == 3
    assert info.value.path == str(p)
    assert f"{p}:3:" in str(info.value) and "unknown lang 'xx'" in str(info.value)


def test_load_queries_duplicate_id_and_missing_and_empty(tmp_path: Path):
    p = tmp_path / "q.jsonl"
    p.write_text(_line() + "\n" + _line() + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate query id 'q01-ja' \\(first on line 1\\)") as info:
        load_queries(p)
    assert info.value.line == 2
    with pytest.raises(CorpusError, match="missing"):
        load_queries(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no queries"):
        load_queries(tmp_path / "empty.jsonl")


# -- round trip ---------------------------------------------------------------------

def test_load_queries_round_trip(tmp_path: Path):
    lines = [_line(), _line(id="q01-vi", lang="vi", query="các nước Mỹ Latinh áp dụng chuẩn ISDB-T",
                            relevant=[{"source_file": F2, "line_start": 110, "line_end": 112},
                                      {"source_file": F0, "line_start": 830, "line_end": 835}])]
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    qs = load_queries(p)
    assert [q.id for q in qs] == ["q01-ja", "q01-vi"]
    assert qs[1].relevant == (Span(F2, 110, 112), Span(F0, 830, 835))
    assert [parse_query(line) for line in lines] == qs


def test_check_spans_exist():
    q = parse_query(_line())
    check_spans_exist([q], {F0: 1300})
    with pytest.raises(CorpusError, match="not in the corpus"):
        check_spans_exist([q], {F2: 1000})
    with pytest.raises(CorpusError, match="past the end"):
        check_spans_exist([q], {F0: 200})


# -- relevance matching ----------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [
    (Span(F0, 3, 5), Span(F0, 5, 9), True),    # share the boundary line
    (Span(F0, 3, 5), Span(F0, 6, 9), False),   # touching but disjoint
    (Span(F0, 6, 9), Span(F0, 3, 5), False),   # same, other order
    (Span(F0, 1, 100), Span(F0, 40, 41), True),  # containment
    (Span(F0, 7, 7), Span(F0, 7, 7), True),    # single line
    (Span(F0, 3, 5), Span(F2, 3, 5), False),   # same lines, other file
])
def test_overlaps(a, b, expected):
    assert a.overlaps(b) is expected
    assert b.overlaps(a) is expected


# -- metrics on hand-made rankings ----------------------------------------------------

def test_empty_ranking_scores_zero():
    s = score_ranking([], [Span(F0, 1, 1)], k=10)
    assert (s.recall, s.ndcg, s.mrr, s.n_found, s.first_rank, s.gains) == (0.0, 0.0, 0.0, 0, None, ())


def test_no_relevant_is_an_error_not_a_zero():
    with pytest.raises(ValueError):
        score_ranking([Span(F0, 1, 1)], [], k=10)
    with pytest.raises(ValueError):
        novel_gains([], [Span(F0, 1, 1)], k=0)


def test_perfect_ranking():
    rel = [Span(F0, 10, 12), Span(F2, 5, 5)]
    s = score_ranking([Span(F2, 5, 6), Span(F0, 12, 14)], rel, k=10)
    assert (s.recall, s.ndcg, s.mrr, s.gains) == (1.0, pytest.approx(1.0), 1.0, (1, 1))


def test_touching_and_other_file_do_not_count():
    rel = [Span(F0, 10, 12)]
    s = score_ranking([Span(F0, 13, 20), Span(F0, 1, 9), Span(F2, 10, 12)], rel, k=10)
    assert (s.recall, s.ndcg, s.mrr, s.first_rank) == (0.0, 0.0, 0.0, None)


def test_duplicate_chunks_for_one_span_are_not_double_counted():
    # two chunks on the same relevant span at ranks 1 and 2, then a second span at rank 3
    rel = [Span(F0, 10, 12), Span(F0, 50, 50)]
    s = score_ranking([Span(F0, 10, 10), Span(F0, 11, 12), Span(F0, 50, 50)], rel, k=10)
    assert s.gains == (1, 0, 1)
    assert s.recall == 1.0 and s.n_found == 2
    expected = (1 + 1 / _log2(3)) / (1 + 1 / _log2(2))
    assert s.ndcg == pytest.approx(expected)
    assert s.ndcg < 1.0


def test_one_chunk_covering_two_spans():
    rel = [Span(F0, 10, 10), Span(F0, 12, 12), Span(F0, 99, 99)]
    s = score_ranking([Span(F0, 9, 13)], rel, k=10)
    assert s.recall == pytest.approx(2 / 3)
    assert s.gains == (1,)
    assert s.ndcg == pytest.approx(1 / (1 + 1 / _log2(2) + 1 / _log2(3)))
    assert 0 <= s.ndcg <= 1


def test_mrr_and_cutoff():
    rel = [Span(F0, 100, 100)]
    ranked = [Span(F0, i, i) for i in range(1, 12)] + [Span(F0, 100, 100)]
    assert score_ranking(ranked, rel, k=10).mrr == 0.0            # rank 12 is past k
    assert score_ranking(ranked, rel, k=12).mrr == pytest.approx(1 / 12)
    s = score_ranking([Span(F0, 1, 1), Span(F0, 2, 2), Span(F0, 100, 100)], rel, k=10)
    assert (s.mrr, s.first_rank) == (pytest.approx(1 / 3), 3)


def test_ideal_is_capped_at_k():
    rel = [Span(F0, i, i) for i in range(1, 16)]  # 15 relevant spans, k = 10
    s = score_ranking([Span(F0, i, i) for i in range(1, 11)], rel, k=10)
    assert s.ndcg == pytest.approx(1.0)
    assert s.recall == pytest.approx(10 / 15)


def test_ndcg_matches_fusion_helper():
    rel = [Span(F0, 1, 1), Span(F0, 2, 2), Span(F0, 3, 3)]
    s = score_ranking([Span(F0, 9, 9), Span(F0, 1, 1), Span(F0, 9, 9), Span(F0, 3, 3)], rel, k=10)
    assert s.ndcg == pytest.approx(ndcg_at_k([0, 1, 0, 1], [1, 1, 1], k=10))


# -- aggregation, gates, table ------------------------------------------------------------

def _result(qid: str, lang: str, recall: float, ndcg: float, mrr: float) -> QueryResult:
    return QueryResult(qid, qid.split("-")[0], lang, 1, Scores(recall, ndcg, mrr, 0, None, ()), ())


def test_summaries_are_macro_means_in_lang_order():
    rs = [_result("q1-vi", "vi", 1.0, 0.5, 1.0), _result("q1-ja", "ja", 0.5, 0.5, 0.5),
          _result("q2-vi", "vi", 0.0, 0.0, 0.0)]
    rep = build_report("bm25", 10, rs)
    assert [s.lang for s in rep.by_lang] == ["ja", "vi"]
    vi = rep.summary("vi")
    assert (vi.n, vi.recall, vi.ndcg, vi.mrr) == (2, 0.5, 0.25, 0.5)
    assert rep.summary(ALL).n == 3 and rep.overall.recall == pytest.approx(0.5)
    with pytest.raises(KeyError):
        rep.summary("pt")
    with pytest.raises(ValueError):
        summarise([], "ja")
    assert json.loads(json.dumps(rep.as_dict()))["by_lang"][0]["lang"] == "ja"


def _reports(hyb_ja_ndcg: float, bm_ja_ndcg: float, recall: float = 0.9):
    out = {}
    for mode, ndcg in (("hybrid", hyb_ja_ndcg), ("bm25", bm_ja_ndcg)):
        rs = [_result(f"q1-{lang}", lang, recall, ndcg if lang == "ja" else 0.5, 0.5) for lang in LANGS]
        out[mode] = build_report(mode, 10, rs)
    return out


def test_thresholds_and_gates():
    data = {"retrieval": {"ja_hybrid_vs_bm25_ndcg_tolerance": 0.02,
                          "min_recall_at_10": {lang: 0.8 for lang in LANGS}}}
    th = Thresholds.from_dict(data)
    assert check_reports(_reports(0.86, 0.87), th) == []
    fails = check_reports(_reports(0.80, 0.87, recall=0.7), th)
    assert len(fails) == 1 + len(LANGS)
    assert fails[0].startswith("hybrid ja nDCG@10 0.8000 < bm25")
    with pytest.raises(VerificationError, match="one floor per language"):
        Thresholds.from_dict({"retrieval": {"ja_hybrid_vs_bm25_ndcg_tolerance": 0, "min_recall_at_10": {"ja": 0.5}}})
    with pytest.raises(VerificationError, match=">= 0"):
        Thresholds.from_dict({"retrieval": {"ja_hybrid_vs_bm25_ndcg_tolerance": -1, "min_recall_at_10": {}}})
    with pytest.raises(VerificationError, match="need the 'bm25' report"):
        check_reports({"hybrid": _reports(0.8, 0.8)["hybrid"]}, th)


def test_markdown_table():
    table = markdown_table(list(_reports(0.5, 0.6).values()))
    lines = table.splitlines()
    assert lines[0] == "| mode | lang | n | recall@10 | nDCG@10 | MRR@10 |"
    assert "| hybrid | ja | 1 | 0.900 | 0.500 | 0.500 |" in lines
    assert "| bm25 | all | 5 | 0.900 | 0.520 | 0.500 |" in lines
    assert len(lines) == 2 + 2 * (len(LANGS) + 1)


# -- every mode against a fake index ----------------------------------------------------------

class _Settings:
    dense = True


class _Glossary:
    def to_japanese(self, query: str, lang: str) -> str:
        return "" if lang == "ja" else "地上デジタル放送"


class _FakeIndex:
    """Duck-typed HybridIndex: BM25 finds chunk a only through the glossary translation."""

    def __init__(self) -> None:
        mk = lambda cid, f, a, b: Chunk(chunk_id=cid, doc_id="d", source_file=f, line_start=a, line_end=b,  # noqa: E731
                                        text="地上デジタル放送", index_text="地上デジタル放送")
        self.chunks = {c.chunk_id: c for c in (mk("a", F0, 245, 245), mk("b", F0, 300, 301), mk("c", F2, 1, 2))}
        self.glossary = _Glossary()
        self.settings = _Settings()

    def bm25_ranking(self, query: str, lang: str, n: int) -> list[str]:
        text = f"{self.glossary.to_japanese(query, lang)} {query}".strip()
        return (["a", "b"] if "地上デジタル放送" in text else ["b"])[:n]

    def dense_ranking(self, query: str, lang: str, n: int) -> list[str]:
        return ["c", "b", "a"][:n]

    def search(self, query: str, lang: str = "ja", top_k: int = 10) -> tuple[Hit, ...]:
        return tuple(Hit(chunk=self.chunks[c], score=1.0 / i, rank=i) for i, c in enumerate(["b", "a"][:top_k], start=1))

    def chunk(self, chunk_id: str) -> Chunk:
        return self.chunks[chunk_id]


def test_evaluate_every_mode_with_fake_index():
    idx = _FakeIndex()
    glossary = idx.glossary
    q = Query("q01-vi", "q01", "truyền hình số mặt đất", "vi", (Span(F0, 245, 245),))
    mrr = {mode: evaluate(idx, [q], mode, k=10).overall.mrr for mode in MODES}
    assert mrr == {"bm25": 1.0, "dense": pytest.approx(1 / 3), "hybrid": 0.5, "bm25_no_glossary": 0.0}
    assert idx.glossary is glossary  # the ablation does not touch the index
    with pytest.raises(UnknownValueError):
        evaluate(idx, [q], "splade", k=10)  # type: ignore[arg-type]
    with pytest.raises(VerificationError):
        evaluate(idx, [], "bm25")
    idx.settings = type("S", (), {"dense": False})()
    with pytest.raises(RetrievalError, match="without dense vectors"):
        evaluate(idx, [q], "dense")
