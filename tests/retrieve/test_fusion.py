"""RRF and ranking metrics: oracle tests against brute-force definitions."""

import itertools
import math
import random

import pytest

from pitchgen.retrieve.fusion import ndcg_at_k, recall_at_k, rrf


def brute_rrf(rankings, k, weights):
    ids = set(itertools.chain.from_iterable(rankings))
    out = {}
    for d in ids:
        s = 0.0
        for r, w in zip(rankings, weights):
            if d in r:
                s += w / (k + r.index(d) + 1)
        out[d] = s
    return out


def test_rrf_matches_the_formula_on_random_rankings():
    rng = random.Random(7)
    pool = [f"d{i}" for i in range(30)]
    for _ in range(50):
        rankings = [rng.sample(pool, rng.randint(0, 20)) for _ in range(rng.randint(1, 3))]
        weights = [rng.choice([0.0, 0.3, 1.0]) for _ in rankings]
        fused = dict(rrf(rankings, k=60, weights=weights))
        expected = brute_rrf(rankings, 60, weights)
        assert fused.keys() == expected.keys()
        for d in fused:
            assert math.isclose(fused[d], expected[d], rel_tol=1e-12)


def test_rrf_order_and_ties():
    fused = rrf([["総務省", "JICA"], ["JICA", "JBIC"]], k=60)
    assert [d for d, _ in fused] == ["JICA", "総務省", "JBIC"]
    assert rrf([["a", "a", "b"]], k=0) == [("a", 1.0), ("b", 1 / 3)]  # a duplicate counts once; ranks are list positions
    assert rrf([], k=60) == []


def test_rrf_rejects_bad_parameters():
    with pytest.raises(ValueError):
        rrf([["a"]], k=-1)
    with pytest.raises(ValueError):
        rrf([["a"], ["b"]], weights=[1.0])


def test_metrics():
    assert recall_at_k([False, True, True], n_relevant=2, k=2) == 0.5
    assert ndcg_at_k([1, 0, 0], [1], k=10) == 1.0
    assert ndcg_at_k([0, 1], [1], k=10) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k([], [], k=10) == 0.0
    with pytest.raises(ValueError):
        recall_at_k([], n_relevant=0, k=10)
