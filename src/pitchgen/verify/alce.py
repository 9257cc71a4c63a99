"""ALCE citation metrics (Gao et al., 2023, "Enabling Large Language Models to Generate Text with
Citations", EMNLP): citation recall and precision of claims against their cited passages, judged by
any entailment :class:`pitchgen.verify.model_tier.Judge`.

* recall of a claim: 1 if the concatenation of its cited passages entails it, else 0;
* precision of a claim: the share of its citations that are relevant, a citation being irrelevant
  when (a) alone it does not entail the claim and (b) removing it leaves the claim entailed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from pitchgen.errors import VerificationError
from pitchgen.records import Record

if TYPE_CHECKING:
    from pitchgen.verify.model_tier import Judge


class AlceScores(Record):
    """ALCE citation scores over many claims (see :func:`aggregate`).

    Attributes:
        n_claims: number of claims scored (>= 1).
        n_citations: total cited passages over all claims.
        recall: mean citation recall over claims, in [0, 1].
        precision: mean citation precision over claims, in [0, 1].
    """

    n_claims: int = Field(ge=1)
    n_citations: int = Field(ge=0)
    recall: float = Field(ge=0.0, le=1.0)
    precision: float = Field(ge=0.0, le=1.0)



def _entails(judge: Judge, premise: str, claim: str, memo: dict[str, bool]) -> bool:
    if premise not in memo:
        memo[premise] = judge.judge(premise, claim).label == "entailment"
    return memo[premise]


def _check_claim(claim: str, passages: Sequence[str]) -> None:
    if not isinstance(claim, str) or not claim.strip():
        raise VerificationError("empty claim: ALCE metrics need the claim text")
    if isinstance(passages, str) or not all(isinstance(p, str) for p in passages):
        raise VerificationError("passages must be a sequence of strings (one per cited passage)")


def _alce_one(judge: Judge, claim: str, passages: Sequence[str]) -> tuple[float, float]:
    _check_claim(claim, passages)
    passages = list(passages)
    if not passages:
        return 0.0, 0.0
    memo: dict[str, bool] = {}
    if not _entails(judge, "\n".join(passages), claim, memo):
        return 0.0, 0.0
    if len(passages) == 1:
        return 1.0, 1.0
    relevant = 0
    for i, p in enumerate(passages):
        if _entails(judge, p, claim, memo):  # (a) alone it entails
            relevant += 1
            continue
        rest = "\n".join(passages[:i] + passages[i + 1:])
        if not _entails(judge, rest, claim, memo):  # (b) removing it breaks the support
            relevant += 1
    return 1.0, relevant / len(passages)


def citation_recall(judge: Judge, claim: str, passages: Sequence[str]) -> float:
    """ALCE citation recall of one claim (Gao et al., 2023, EMNLP, §3.3).

    ``recall = 1`` if the concatenation of all cited passages (joined by
    ``"\\n"``, as ALCE does) entails the claim, else ``0``; a claim with no
    passage has recall 0. "Entails" means the judge's label is
    ``"entailment"``.

    Args:
        judge: any :class:`Judge`.
        claim: the claim text (hypothesis).
        passages: the cited passages (premises), in citation order.

    Returns:
        0.0 or 1.0.

    Raises:
        VerificationError: empty claim, non-string passages, or the judge failed.
    """
    return _alce_one(judge, claim, passages)[0]


def citation_precision(judge: Judge, claim: str, passages: Sequence[str]) -> float:
    """ALCE citation precision of one claim (Gao et al., 2023, EMNLP, §3.3).

    With φ(p, s) = "judge labels (p, s) entailment", C the cited passages
    and ``concat`` joining with ``"\\n"``::

        recall(s)      = φ(concat(C), s)
        irrelevant(c)  = ¬φ(c, s)  ∧  φ(concat(C \\ {c}), s)
        precision(s)   = |{c ∈ C : recall(s) ∧ ¬irrelevant(c)}| / |C|   (0 when C = ∅)

    So every citation of a claim with recall 0 counts as imprecise; with a
    single citation, precision equals recall; a passage that alone entails
    the claim is always relevant (condition (a) is tested first, condition
    (b) only when (a) fails, as in ALCE's ``compute_autoais``).

    Returns:
        a share in [0, 1].

    Raises:
        VerificationError: empty claim, non-string passages, or the judge failed.

    >>> from pitchgen.verify.model_tier import LABELS, Judgement
    >>> class Substring:
    ...     name = "fake:substring"
    ...     def judge(self, premise, hypothesis):
    ...         lab = "entailment" if all(w in premise for w in hypothesis.split()) else "neutral"
    ...         return Judgement(label=lab, score=1.0, probs={l: float(l == lab) for l in LABELS})
    >>> citation_precision(Substring(), "緊急警報 ペルー", ["ペルーで緊急警報放送を導入", "ベトナムの電子政府"])
    0.5
    >>> citation_precision(Substring(), "緊急警報 ペルー", ["ペルーで導入", "緊急警報放送"])
    1.0
    """
    return _alce_one(judge, claim, passages)[1]


def aggregate(judge: Judge, items: Iterable[tuple[str, Sequence[str]]]) -> AlceScores:
    """ALCE citation recall and precision averaged over claims.

    Each claim counts once (macro mean of the per-claim scores of
    :func:`citation_recall` and :func:`citation_precision`); ALCE averages
    per response, and here each claim is its own response. The full-set
    judgement is made once per claim and shared by both scores.

    Args:
        judge: any :class:`Judge`.
        items: ``(claim, passages)`` pairs.

    Returns:
        :class:`AlceScores`.

    Raises:
        VerificationError: no claims (a mean over nothing is not a score),
            or any per-claim error.
    """
    recalls: list[float] = []
    precisions: list[float] = []
    n_cit = 0
    for claim, passages in items:
        r, p = _alce_one(judge, claim, passages)
        recalls.append(r)
        precisions.append(p)
        n_cit += len(passages)
    if not recalls:
        raise VerificationError("no claims to score: ALCE metrics over an empty set are undefined",
                                fix="check that the deck has claims with citations")
    n = len(recalls)
    return AlceScores(n_claims=n, n_citations=n_cit, recall=sum(recalls) / n, precision=sum(precisions) / n)
