"""Timing and memory of the pipeline stages on this machine (reported in notes, never asserted in tests).

Usage: HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_pipeline.py [--rebuild]
Prints a Markdown table and writes benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebuild", action="store_true", help="time a full index build (about a minute)")
    args = ap.parse_args()
    from pitchgen.app import Config, Resources, generate

    res = Resources(Config(root=ROOT, cache_dir=ROOT / ".cache" / "pitchgen"))
    rows = []
    t = time.perf_counter()
    idx = res.index(rebuild=args.rebuild)
    rows.append(("index " + ("build" if args.rebuild else "open"), time.perf_counter() - t))
    queries = [("ペルー 緊急警報放送", "ja"), ("Chính phủ điện tử Việt Nam", "vi"), ("alerta temprana sismos", "es"),
               ("submarine cable JICT", "en"), ("telemedicina Brasil", "pt")]
    idx.search("warm up", "en", 10)
    lat = []
    for _ in range(5):
        for q, lg in queries:
            t = time.perf_counter()
            idx.search(q, lg, 10)
            lat.append(time.perf_counter() - t)
    rows.append(("search p50 (s)", statistics.median(lat)))
    rows.append(("search max (s)", max(lat)))
    with tempfile.TemporaryDirectory() as d:
        for cc, sector, lang in [("VN", "e_government", "vi"), ("PE", "disaster_prevention", "es")]:
            t = time.perf_counter()
            generate(res, cc, sector, lang, Path(d) / cc, "2026-11-20", index=idx)
            rows.append((f"generate {cc}-{sector}-{lang} (index open)", time.perf_counter() - t))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS (MiB)", rss_mb))
    print("| stage | value |\n| --- | --- |")
    for name, v in rows:
        print(f"| {name} | {v:.3f} |")
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(dict(rows), indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
