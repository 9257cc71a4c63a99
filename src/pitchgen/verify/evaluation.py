"""`pitchgen eval`: decks, the scenario suite, the claim set, the model tier, the gates and the reports.

Gates (any failure exits 1; an error inside a check is a failure, never a skip):

* a deck with a structural check failure (citation, number, marker, language)
  or with a contradicted, unsupported or unresolved claim;
* with ``--suite``: detection rates, false-positive rate and balanced accuracy
  outside ``evals/thresholds.yaml`` (``faithfulness:``).

Unverified claims are counted and listed, never counted as faithful. The
model tier runs only when a model is configured; otherwise it is reported
as skipped, which never counts as passed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import yaml

from pitchgen.errors import VerificationError
from pitchgen.verify.checks import evaluate_dir
from pitchgen.verify.reports import write_reports
from pitchgen.verify.suite import check_thresholds, expand, load_base, rates
from pitchgen.verify.verifier import SpanRef


def _deck_dict(report) -> dict:
    d = report.as_dict()
    d["deck"] = report.deck_metrics()
    return d


def _scenarios(root: Path) -> list[dict]:
    path = root / "evals" / "scenarios.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = data.get("scenarios") or []
    if len(items) < 1:
        raise VerificationError("no scenarios", path=path, fix="list country x sector x language scenarios")
    return items


def _thresholds(root: Path) -> dict:
    path = root / "evals" / "thresholds.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("faithfulness") or {}


def _model_tier(res, model: str | None, items, verdicts: dict[str, str]) -> dict:
    """Run the NLI tier on the claim set when a model is configured; else report it skipped."""
    from pitchgen.verify.model_tier import NliJudge, TierStatus, aggregate, combine

    if not model:
        return TierStatus.skipped("no model configured (--nli-model or PITCHGEN_NLI_MODEL)").model_dump()
    judge = NliJudge(model)
    judge.warm_up()
    combined, pairs = {}, []
    for it in items:
        premise = res.corpus.get(it.source).span(it.line_start, it.line_end)
        combined[it.id] = combine(verdicts[it.id], judge.judge(premise, it.claim))[0]
        if it.kind == "supported":
            pairs.append((it.claim, [premise]))
    alce = aggregate(judge, pairs)
    status = TierStatus.ran(judge).model_dump()
    status["alce"] = {"recall": alce.recall, "precision": alce.precision, "n_claims": alce.n_claims}
    status["combined"] = rates([(it, combined[it.id]) for it in items])
    return status


def run_evaluation(res, out_dirs: list[Path], suite: bool, nli_model: str | None, report_dir: Path,
                   junit: Path | None = None, notify: Callable[[str], None] = lambda m: None, lang: str | None = None) -> dict:
    """Evaluate output directories (and the suite), write reports, return the report dict.

    ``lang`` is the language of report.md; by default the output folders' own language
    (the one language of their claims.json, else English), and English with ``suite``.
    """
    reports = [evaluate_dir(d, res.corpus, res.verifier) for d in out_dirs]
    decks = [_deck_dict(r) for r in reports]
    langs = {r.lang or "en" for r in reports}
    report: dict = {"generated": datetime.date.today().isoformat(), "decks": decks, "gate_failures": [],
                    "lang": lang or ("en" if suite or len(langs) != 1 else langs.pop())}
    if suite:
        from pitchgen.app import generate

        index = res.index(notify=notify)
        base_dir = res.config.root / "build" / "eval" / "suite"
        for sc in _scenarios(res.config.root):
            out = base_dir / sc["name"]
            generate(res, sc["country"], sc["sector"], sc["lang"], out, "2026-11-20", force=True, index=index)
            rep = evaluate_dir(out, res.corpus, res.verifier)
            decks.append(_deck_dict(rep))
            notify(f"scenario {sc['name']}: {rep.n_claims} claims, {rep.deck_metrics()['verdict_counts']}")
        items = expand(load_base(res.config.root / "evals" / "claims" / "base.jsonl"))
        verdicts = {}
        for it in items:
            v = res.verifier.verify(it.id, it.claim, it.lang, [SpanRef(doc=it.source, line_start=it.line_start, line_end=it.line_end)])
            verdicts[it.id] = v.verdict
        metrics = rates([(it, verdicts[it.id]) for it in items])
        report["suite"] = metrics
        report["gate_failures"] += check_thresholds(metrics, _thresholds(res.config.root))
        report["model_tier"] = _model_tier(res, nli_model, items, verdicts)
        report["claim_set"] = [{"id": it.id, "kind": it.kind, "lang": it.lang, "verdict": verdicts[it.id]} for it in items]
    else:
        from pitchgen.verify.model_tier import TierStatus

        report["model_tier"] = TierStatus.skipped("model tier runs with --suite").model_dump()
    for d in decks:
        if not d["ok"]:
            bad = d["deck"]["verdict_counts"]
            report["gate_failures"].append(f"{Path(d['out_dir']).name}: {len(d['failures'])} failed checks, "
                                           f"{bad['contradicted']} contradicted, {bad['unsupported']} unsupported claims")
    write_reports(report, report_dir, junit, res.phrases)
    return report
