"""Retrieval evaluation over evals/queries.jsonl: every mode x language.

Usage::

    HF_HUB_OFFLINE=1 .venv/bin/python evals/retrieval_eval.py [--cache-dir DIR] [--k 10] [--check]

Opens the persisted index (building it when missing or stale, as
``pitchgen index`` would), runs the modes of :data:`pitchgen.evals_retrieval.MODES`,
prints a Markdown table and writes ``evals/results/retrieval.json`` (manifest,
summaries and per-query scores) and ``evals/results/retrieval.md``.

``--check`` applies the gates of ``evals/thresholds.yaml`` and exits 1 when one
fails. Any error inside the evaluation exits non-zero too; it never passes.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cache-dir", type=Path, default=None, help="index cache (default <root>/.cache/pitchgen)")
    p.add_argument("--queries", type=Path, default=ROOT / "evals" / "queries.jsonl", help="labelled queries (JSONL)")
    p.add_argument("--thresholds", type=Path, default=ROOT / "evals" / "thresholds.yaml", help="gates for --check")
    p.add_argument("--out-dir", type=Path, default=ROOT / "evals" / "results", help="where retrieval.json/.md go")
    p.add_argument("--k", type=int, default=10, help="cut-off for recall, nDCG and MRR (default 10)")
    p.add_argument("--check", action="store_true", help="exit 1 when a gate of --thresholds fails")
    args = p.parse_args(argv)
    if args.k != 10 and args.check:
        p.error("--check gates are defined at k=10")
    if args.k < 1:
        p.error("--k must be >= 1")
    return args


def _load_thresholds(path: Path):
    from pitchgen.errors import VerificationError
    from pitchgen.evals_retrieval import Thresholds

    if not path.is_file():
        raise VerificationError("thresholds file missing", path=path, fix="restore evals/thresholds.yaml from git")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise VerificationError(f"invalid YAML: {exc}", path=path, fix="correct the YAML") from exc
    return Thresholds.from_dict(data, path)


def run(args: argparse.Namespace) -> int:
    from pitchgen.app import Config, Resources
    from pitchgen.evals_retrieval import MODES, check_spans_exist, evaluate, load_queries, markdown_table

    thresholds = _load_thresholds(args.thresholds) if args.check else None
    queries = load_queries(args.queries)
    config = Config(root=ROOT, cache_dir=(args.cache_dir or ROOT / ".cache" / "pitchgen").resolve())
    res = Resources(config)
    check_spans_exist(queries, {d.meta.source_file: d.meta.n_lines for d in res.corpus.documents}, args.queries)
    index = res.index(notify=lambda m: print(m, file=sys.stderr))

    reports = {mode: evaluate(index, queries, mode, k=args.k) for mode in MODES}
    table = markdown_table(list(reports.values()))
    print(table)

    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    qhash = hashlib.sha256(args.queries.read_bytes()).hexdigest()
    manifest = {k: index.manifest.get(k) for k in ("created", "embedding_model", "tokenizer_dictionary",
                                                   "corpus_hash", "glossary_hash", "settings", "n_chunks",
                                                   "libraries")}
    doc = {
        "format": 1,
        "created": now,
        "k": args.k,
        "queries_file": str(args.queries.relative_to(ROOT) if args.queries.is_relative_to(ROOT) else args.queries),
        "queries_sha256": qhash,
        "n_queries": len(queries),
        "relevance": "same source_file and overlapping 1-based inclusive line ranges",
        "metrics": {
            "recall": "distinct relevant spans satisfied in top k / relevant spans",
            "ndcg": "binary gains, a chunk counts only for a relevant span not yet satisfied above it; "
                    "ideal = min(n_relevant, k) ones (Jarvelin & Kekalainen 2002)",
            "mrr": "1 / rank of the first relevant chunk within k, else 0",
        },
        "index_manifest": manifest,
        "modes": {m: r.as_dict() for m, r in reports.items()},
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "retrieval.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    md = (f"# Retrieval evaluation\n\n"
          f"- created: {now}\n- queries: {doc['queries_file']} ({len(queries)}, sha256 {qhash[:12]})\n"
          f"- index: {manifest['n_chunks']} chunks, embedding model {manifest['embedding_model']}, "
          f"corpus {str(manifest['corpus_hash'])[:12]}, glossary {str(manifest['glossary_hash'])[:12]}\n"
          f"- metrics at k={args.k}; macro means over queries; per-query scores in retrieval.json\n\n{table}\n")
    (args.out_dir / "retrieval.md").write_text(md, encoding="utf-8")

    if thresholds is not None:
        from pitchgen.evals_retrieval import check_reports

        fails = check_reports(reports, thresholds)
        for f in fails:
            print(f"CHECK FAILED: {f}", file=sys.stderr)
        if fails:
            return 1
        print("checks passed", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    from pitchgen.errors import PitchgenError

    args = _parse_args(argv)
    try:
        return run(args)
    except PitchgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code or 1


if __name__ == "__main__":
    sys.exit(main())
