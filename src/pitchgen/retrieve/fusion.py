"""Rank fusion and ranking metrics: small pure functions.

Reciprocal rank fusion (RRF): Cormack, Clarke and Büttcher, "Reciprocal Rank
Fusion outperforms Condorcet and individual Rank Learning Methods", SIGIR 2009.
score(d) = sum_i w_i / (k + rank_i(d)), ranks 1-based, k = 60 in the paper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def rrf(rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Fuse ranked lists of ids by (weighted) reciprocal rank fusion.

    Args:
        rankings: each a list of ids, best first. Duplicates within one list
            count at their first (best) rank only.
        k: RRF constant (60 in Cormack et al., 2009); must be >= 0.
        weights: one weight per ranking (default all 1.0), each >= 0.

    Returns:
        ``[(id, score), ...]`` sorted by score descending; ties broken by the
        best rank in the first ranking that holds the id, then by id.

    Raises:
        ValueError: negative k or weight, or a weights/rankings length mismatch.

    >>> rrf([["総務省", "JICA"], ["JICA", "JBIC"]], k=60)[0][0]
    'JICA'
    >>> [round(s, 5) for _, s in rrf([["a"]], k=0)]
    [1.0]
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    w = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(w) != len(rankings) or any(x < 0 for x in w):
        raise ValueError("need one non-negative weight per ranking")
    scores: dict[str, float] = {}
    first_seen: dict[str, tuple[int, int]] = {}
    for li, (ranking, wi) in enumerate(zip(rankings, w)):
        seen: set[str] = set()
        for rank, doc in enumerate(ranking, start=1):
            if doc in seen:
                continue
            seen.add(doc)
            scores[doc] = scores.get(doc, 0.0) + wi / (k + rank)
            first_seen.setdefault(doc, (li, rank))
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]], kv[0]))


def recall_at_k(ranked_relevance: Sequence[bool], n_relevant: int, k: int) -> float:
    """Share of the relevant items found in the top ``k``.

    Args:
        ranked_relevance: for each returned item, best first, whether it
            satisfies a distinct relevant item (the caller de-duplicates).
        n_relevant: number of relevant items for the query (> 0).

    >>> recall_at_k([True, False, True], n_relevant=4, k=2)
    0.25
    """
    if n_relevant <= 0:
        raise ValueError("n_relevant must be > 0")
    return sum(1 for r in ranked_relevance[:k] if r) / n_relevant


def ndcg_at_k(gains: Sequence[float], ideal_gains: Sequence[float], k: int = 10) -> float:
    """Normalised discounted cumulative gain (Järvelin and Kekäläinen, 2002).

    DCG@k = sum_{i=1..k} gain_i / log2(i + 1); nDCG = DCG / IDCG. Returns 0.0
    when the ideal DCG is 0.

    >>> ndcg_at_k([1, 0, 1], [1, 1, 0], k=3)
    0.9197...
    """
    def dcg(g: Sequence[float]) -> float:
        return sum(x / math.log2(i + 2) for i, x in enumerate(g[:k]))

    ideal = dcg(sorted(ideal_gains, reverse=True))
    return dcg(gains) / ideal if ideal > 0 else 0.0
