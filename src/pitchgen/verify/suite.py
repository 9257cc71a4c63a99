"""The faithfulness suite: the labelled claim set with its single-edit perturbations, and the metrics.

``evals/claims/base.jsonl`` holds supported claims (ja/vi/es/en) with their
anchor slots; :func:`expand` derives one item per perturbation type:
number, year, unit_scale, country, organisation, sdg_target (slot replaced
by its ``alt``), negation, overclaim (hand-written variants), wrong_citation
(the same claim citing other lines) and hard cases (the wrong value appears
in the span in another role). A perturbation is *detected* when the
verifier says contradicted or unsupported; ``unverified`` is not a
detection. On supported claims, contradicted or unsupported is a false
positive.

Balanced accuracy = (TPR + TNR) / 2, with TPR the detection rate over all
perturbations and TNR = 1 - false-positive rate (Brodersen et al., 2010).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from pitchgen.errors import VerificationError
from pitchgen.records import Record
from pitchgen.yamlio import json_lines

PERTURBATIONS: tuple[str, ...] = ("number", "year", "unit_scale", "country", "organisation", "sdg_target",
                                  "negation", "overclaim", "wrong_citation")
FLAGGED = frozenset({"contradicted", "unsupported"})


class SuiteItem(Record):
    """One labelled claim: ``kind`` is ``supported`` or a perturbation type (``hard_number`` ...)."""

    id: str
    base: str
    lang: str
    kind: str
    claim: str
    source: str
    line_start: int
    line_end: int
    hard: bool = False


def load_base(path: Path) -> list[dict]:
    """Read base.jsonl; raises VerificationError naming file:line on a bad line, or when it is missing or empty."""
    return [item for _, item in json_lines(path, "claim-set line", error=VerificationError,
                                           required=("id", "base", "lang", "claim", "source", "line_start", "line_end"),
                                           fix="one JSON object per line, see evals/claims/README.md",
                                           missing_fix="restore evals/claims/base.jsonl from git")]


def expand(base: Iterable[dict]) -> list[SuiteItem]:
    """Supported claims and their perturbations (see module docstring)."""
    items: list[SuiteItem] = []
    for b in base:
        common = dict(base=b["base"], lang=b["lang"], source=b["source"], line_start=b["line_start"], line_end=b["line_end"])
        items.append(SuiteItem(id=b["id"], kind="supported", claim=b["claim"], **common))
        for kind, slot in (b.get("slots") or {}).items():
            if slot and slot.get("text") and slot.get("alt") and slot["text"] in b["claim"]:
                items.append(SuiteItem(id=f"{b['id']}:{kind}", kind=kind, claim=b["claim"].replace(slot["text"], slot["alt"], 1), **common))
        for kind in ("negation", "overclaim"):
            if b.get(kind):
                items.append(SuiteItem(id=f"{b['id']}:{kind}", kind=kind, claim=b[kind], **common))
        wc = b.get("wrong_citation")
        if wc:
            items.append(SuiteItem(id=f"{b['id']}:wrong_citation", kind="wrong_citation", claim=b["claim"], base=b["base"],
                                   lang=b["lang"], source=wc["source"], line_start=wc["line_start"], line_end=wc["line_end"]))
        for i, h in enumerate(b.get("hard") or []):
            items.append(SuiteItem(id=f"{b['id']}:hard{i}", kind=f"hard_{h['type']}", claim=h["claim"], hard=True, **common))
    return items


def rates(results: Sequence[tuple[SuiteItem, str]]) -> dict:
    """Detection rate per perturbation type and language, false-positive rate, BAcc.

    Args:
        results: (item, verdict) pairs.

    >>> a = SuiteItem(id="a", base="b", lang="es", kind="supported", claim="x", source="d", line_start=1, line_end=1)
    >>> b = a.model_copy(update={"id": "b", "kind": "number"})
    >>> r = rates([(a, "supported"), (b, "contradicted")])
    >>> r["false_positive_rate"], r["detection_rate"], r["balanced_accuracy"]
    (0.0, 1.0, 1.0)
    """
    by_type: dict[str, Counter] = defaultdict(Counter)
    by_type_lang: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    verdicts: Counter = Counter()
    sup = Counter()
    for item, verdict in results:
        verdicts[verdict] += 1
        if item.kind == "supported":
            sup["n"] += 1
            sup["fp"] += verdict in FLAGGED
            sup["unverified"] += verdict == "unverified"
            continue
        for key in (item.kind, "all"):
            by_type[key]["n"] += 1
            by_type[key]["detected"] += verdict in FLAGGED
            by_type_lang[key][item.lang]["n"] += 1
            by_type_lang[key][item.lang]["detected"] += verdict in FLAGGED

    def ratio(c: Counter, k: str) -> float | None:
        return round(c[k] / c["n"], 4) if c["n"] else None

    fpr = ratio(sup, "fp")
    tpr = ratio(by_type["all"], "detected")
    bacc = round(((tpr or 0.0) + (1 - (fpr or 0.0))) / 2, 4) if tpr is not None and fpr is not None else None
    return {
        "n_supported": sup["n"], "false_positive_rate": fpr, "unverified_rate_on_supported": ratio(sup, "unverified"),
        "n_perturbed": by_type["all"]["n"], "detection_rate": tpr, "balanced_accuracy": bacc,
        "detection_by_type": {k: {"n": c["n"], "rate": ratio(c, "detected"),
                                  "by_lang": {lg: ratio(cc, "detected") for lg, cc in sorted(by_type_lang[k].items())}}
                              for k, c in sorted(by_type.items()) if k != "all"},
        "verdict_counts": dict(verdicts),
    }


def check_thresholds(metrics: dict, thresholds: dict) -> list[str]:
    """Failures against ``evals/thresholds.yaml`` ``faithfulness:`` (empty when all hold)."""
    out = []
    fpr_max = thresholds.get("max_false_positive_rate")
    if fpr_max is not None and (metrics["false_positive_rate"] is None or metrics["false_positive_rate"] > fpr_max):
        out.append(f"false-positive rate {metrics['false_positive_rate']} > {fpr_max}")
    bacc_min = thresholds.get("min_balanced_accuracy")
    if bacc_min is not None and (metrics["balanced_accuracy"] or 0) < bacc_min:
        out.append(f"balanced accuracy {metrics['balanced_accuracy']} < {bacc_min}")
    for kind, floor in (thresholds.get("min_detection_rate") or {}).items():
        got = (metrics["detection_by_type"].get(kind) or {}).get("rate")
        if got is None or got < floor:
            out.append(f"detection rate for {kind} {got} < {floor}")
    return out
