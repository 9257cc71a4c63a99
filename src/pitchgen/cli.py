"""Command-line interface (typer). The only module that reads flags, the environment and pitchgen.toml.

``PITCHGEN_ROOT`` (or ``--root``) names the project folder (default: the
checkout this package was installed from, else the current folder). Every
other setting is resolved by :mod:`pitchgen.settings`: pitchgen.toml (user,
then project) < environment < flags; ``pitchgen config show`` prints the result.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from pitchgen.errors import PitchgenError, UsageError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Evidence-cited ICT cooperation pitches (PPTX deck, DOCX brief, claims.json) from Japanese policy documents.")
err = Console(stderr=True, soft_wrap=True)  # never break file:line messages


def _default_root() -> Path:
    env = os.environ.get("PITCHGEN_ROOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[2]
    if (here / "corpus" / "policy" / "manifest.yaml").is_file():
        return here
    return Path.cwd()


def _settings(root: Path, cache_dir: Optional[Path] = None, embedding_model: Optional[str] = None):
    from pitchgen.settings import resolve

    return resolve(root, os.environ, {"paths.cache_dir": str(cache_dir) if cache_dir else None,
                                      "index.embedding_model": embedding_model})


def _config(root: Optional[Path], cache_dir: Optional[Path], embedding_model: Optional[str], no_dense: bool = False):
    """Build the one frozen Config from pitchgen.toml, the environment and flags (see pitchgen.settings)."""
    from pitchgen.adapters.embedding import EmbedderSettings
    from pitchgen.app import Config
    from pitchgen.retrieve.index import IndexSettings

    root = (root or _default_root()).resolve()
    st = _settings(root, cache_dir, embedding_model)
    cache = Path(st["paths.cache_dir"].value or root / ".cache" / "pitchgen")
    index = IndexSettings(embedder=EmbedderSettings(model_id=st["index.embedding_model"].value), dense=not no_dense,
                          dense_weight=st["index.dense_weight"].value, rrf_k=st["index.rrf_k"].value)
    llm = None
    if st["llm.backend"].value != "template":
        from pitchgen.llm import BackendSettings

        llm = BackendSettings(kind=st["llm.backend"].value, model=st["llm.model"].value, base_url=st["llm.base_url"].value,
                              api_key_env=st["llm.api_key_env"].value)
    return Config(root=root, cache_dir=cache, index=index, llm=llm)


RootOpt = typer.Option(None, "--root", help="Project folder with corpus/ and templates/ [env PITCHGEN_ROOT].")
CacheOpt = typer.Option(None, "--cache-dir", help="Index cache folder [env PITCHGEN_CACHE_DIR].")
ModelOpt = typer.Option(None, "--embedding-model",
                        help="Embedding model: packaged:all-minilm-l6-v2 (default), a local folder, or a cached hub id "
                             "such as intfloat/multilingual-e5-base [env PITCHGEN_EMBEDDING_MODEL].")


def _run(fn):
    """Run a command body, turning pitchgen errors into a message and an exit code."""
    try:
        return fn()
    except PitchgenError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(exc.exit_code) from None


def _progress_index(res, rebuild: bool = False):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return res.index(progress=progress, notify=lambda m: err.print(m), rebuild=rebuild)


@app.command()
def index(root: Optional[Path] = RootOpt, cache_dir: Optional[Path] = CacheOpt, embedding_model: Optional[str] = ModelOpt,
          rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild even if the index is up to date.")) -> None:
    """Build or refresh the hybrid index (BM25 over fugashi lemmas + dense vectors), with a progress bar."""
    from pitchgen.app import Resources

    def body():
        res = Resources(_config(root, cache_dir, embedding_model))
        idx = _progress_index(res, rebuild)
        err.print(f"index ready: {len(idx.chunks)} chunks in {res.config.index_dir} "
                  f"(model {idx.manifest.get('embedding_model')}, {idx.manifest.get('tokenizer_dictionary')})")
    _run(body)


def _hit_json(h) -> dict:
    c = h.chunk
    return {"doc_id": c.doc_id, "source_file": c.source_file, "title": None, "line_start": c.line_start,
            "line_end": c.line_end, "heading": c.heading, "text": c.text, "score": h.score}


@app.command()
def search(query: Optional[str] = typer.Argument(None, help="Query text."),
           lang: str = typer.Option("ja", "--lang", help="Query language: ja, vi, es, en, pt."),
           top_k: int = typer.Option(10, "--top-k", min=1, help="Number of hits."),
           as_json: bool = typer.Option(False, "--json", help="Print JSON."),
           batch: Optional[Path] = typer.Option(None, "--batch", help="JSON lines {id, query, lang}; one result line each."),
           translate: Optional[bool] = typer.Option(
               None, "--translate/--no-translate",
               help="Also translate non-Japanese queries into Japanese with the configured LLM backend (llm.backend) "
                    "and fuse its hits with the glossary path (RRF). Default: on when a backend other than template "
                    "is configured."),
           root: Optional[Path] = RootOpt, cache_dir: Optional[Path] = CacheOpt, embedding_model: Optional[str] = ModelOpt) -> None:
    """Search the corpus. Line numbers are 1-based, inclusive, as `sed -n 'A,Bp' FILE` counts them.

    A non-Japanese query reaches the Japanese corpus through the glossary. With an LLM backend configured, the
    model's Japanese translation is searched too and both rankings are fused; stderr says which path was used and
    why a translation fell back to the glossary, and --json / --batch carry it as "translation".
    """
    from pitchgen.app import Resources
    from pitchgen.vocab import parse_lang

    def body():
        from pitchgen.llm.translate import fused_search, glossary_translation, translate_query

        if (query is None) == (batch is None):
            raise UsageError("give either a QUERY or --batch FILE", fix="e.g. pitchgen search 'ペルー 緊急警報放送'")
        res = Resources(_config(root, cache_dir, embedding_model))
        titles = {d.meta.doc_id: d.meta.title_ja for d in res.corpus.documents}
        backend, off = None, "no LLM backend is configured, llm.backend = template"
        if translate is False:
            off = "translation turned off by --no-translate"
        elif res.config.llm is not None:
            backend = res.config.llm.build()

        def translated(q: str, lg):
            if backend is None:
                return glossary_translation(q, lg, res.glossary, off)
            try:
                return translate_query(backend, q, lg, glossary=res.glossary)
            except PitchgenError as exc:  # a misconfigured backend (model not offline, key unset) stops the search
                exc.fix = f"{exc.fix + ' ' if exc.fix else ''}Or search with the glossary only: --no-translate."
                raise

        def say(tr, prefix: str = "", quiet: bool = False) -> None:
            if tr.source == "llm":
                kw = f" (keywords: {', '.join(tr.keywords)})" if tr.keywords else ""
                msg = f"query translated by {tr.backend}: {tr.ja}{kw}; searched with it and the glossary path, fused (RRF)"
            elif tr.fallback:
                msg = f"translation fell back to the glossary: {tr.reason}"
            elif tr.lang == "ja" or quiet:
                return
            else:
                msg = f"query translated by the glossary: {tr.ja or '(no glossary term found)'} ({tr.reason})"
            if not quiet or tr.fallback:
                err.print(prefix + msg, highlight=False, markup=False)

        def hits(tr) -> list[dict]:
            out = []
            for h in fused_search(idx, tr, top_k):
                d = _hit_json(h)
                d["title"] = titles[h.chunk.doc_id]
                out.append(d)
            return out

        if batch is not None:
            items = _read_batch(batch)
            idx = res.index(notify=lambda m: err.print(m))
            counts = {"asked": 0, "llm": 0, "fallback": 0}
            for item in items:
                tr = translated(item["query"], parse_lang(item.get("lang", "ja")))
                say(tr, prefix=f"{item['id']}: ", quiet=True)
                counts["asked"] += tr.attempts > 0
                counts["llm"] += tr.source == "llm"
                counts["fallback"] += tr.fallback
                sys.stdout.write(json.dumps({"id": item["id"], "hits": hits(tr), "translation": tr.model_dump(mode="json")},
                                            ensure_ascii=False) + "\n")
            if backend is not None:
                err.print(f"translation by {backend.name}: {counts['llm']} of {counts['asked']} queries sent to the model "
                          f"used; {counts['fallback']} fell back to the glossary", highlight=False, markup=False)
            return
        lg = parse_lang(lang)
        idx = res.index(notify=lambda m: err.print(m))
        tr = translated(query, lg)
        say(tr)
        found = hits(tr)
        if as_json:
            sys.stdout.write(json.dumps({"hits": found, "translation": tr.model_dump(mode="json")},
                                        ensure_ascii=False, indent=2) + "\n")
            return
        out = Console()
        for i, h in enumerate(found, 1):
            out.print(f"[bold]{i}.[/bold] {h['source_file']}:{h['line_start']}-{h['line_end']}  "
                      f"[dim]{h['doc_id']} · score {h['score']:.4f}[/dim]", highlight=False)
            out.print(f"   {h['heading']}", style="cyan", highlight=False, markup=False)
            out.print("   " + h["text"].replace("\n", " ")[:200], highlight=False, markup=False)
    _run(body)


def _read_batch(path: Path) -> list[dict]:
    from pitchgen.yamlio import json_lines

    return [item for _, item in json_lines(path, "batch line", required=("id", "query"), error=UsageError,
                                           fix='write one JSON object per line: {"id": "q1", "query": "...", "lang": "ja"}')]


@app.command()
def generate(country: str = typer.Option(..., "--country", help="Partner country, ISO 3166-1 alpha-2 (e.g. VN, PE)."),
             sector: str = typer.Option(..., "--sector", help="Sector slug (see corpus/sectors.yaml)."),
             lang: str = typer.Option(..., "--lang", help="Output language: vi, es, pt (= pt-BR), pt-PT, en, ja."),
             out: Path = typer.Option(..., "--out", help="Output directory (deck.pptx, brief.docx, claims.json)."),
             force: bool = typer.Option(False, "--force", help="Replace an existing output directory."),
             date: Optional[str] = typer.Option(None, "--date", help="Date shown on the outputs (YYYY-MM-DD; default today)."),
             root: Optional[Path] = RootOpt, cache_dir: Optional[Path] = CacheOpt, embedding_model: Optional[str] = ModelOpt) -> None:
    """Generate a cited deck, brief and claims.json for a partner country, sector and language."""
    from pitchgen.app import Resources
    from pitchgen.app import generate as run_generate
    from pitchgen.vocab import parse_country, parse_output_lang

    def body():
        lg, variant = parse_output_lang(lang)
        cc = parse_country(country)
        cfg = _config(root, cache_dir, embedding_model)
        res = Resources(dataclasses.replace(cfg, pt_variant=variant) if variant else cfg)
        res.vocab.sector(sector)
        if out.exists() and not force:
            from pitchgen.errors import OutputExistsError

            raise OutputExistsError(f"output directory {out} already exists", fix="choose another --out or add --force to replace it")
        day = date or datetime.date.today().isoformat()
        try:
            datetime.date.fromisoformat(day)
        except ValueError:
            raise UsageError(f"--date {day!r} is not YYYY-MM-DD", fix="e.g. --date 2026-11-20") from None
        idx = res.index(notify=lambda m: err.print(m))
        plan, warnings = run_generate(res, cc, sector.strip().lower(), lg, out, day, force=force, index=idx)
        for w in warnings:
            err.print(f"[yellow]warning:[/yellow] {w}", highlight=False)
        err.print(f"wrote {out}/deck.pptx ({len(plan.slides)} slides), brief.docx, claims.json ({len(plan.claims)} claims)")
    _run(body)


@app.command("eval")
def eval_cmd(out_dirs: list[Path] = typer.Argument(None, help="Directories written by `pitchgen generate`."),
             suite: bool = typer.Option(False, "--suite", help="Generate and score the scenario suite (evals/scenarios.yaml) "
                                                               "and the claim set (evals/claims/base.jsonl)."),
             as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
             junit: Optional[Path] = typer.Option(None, "--junit", help="Also write JUnit XML here."),
             report_dir: Optional[Path] = typer.Option(None, "--report-dir", help="Where report.json and report.md go "
                                                       "(default: build/eval/reports)."),
             nli_model: Optional[str] = typer.Option(None, "--nli-model", help="Local NLI model for the model tier "
                                                     "[env PITCHGEN_NLI_MODEL]; without it the tier is reported as skipped."),
             lang: Optional[str] = typer.Option(None, "--lang", help="Language of the Markdown report (vi, es, pt, pt-PT, en, ja); "
                                                "default: the outputs' own language, English with --suite."),
             root: Optional[Path] = RootOpt, cache_dir: Optional[Path] = CacheOpt, embedding_model: Optional[str] = ModelOpt) -> None:
    """Score outputs: citations resolve, every claim's verdict (supported / unverified / contradicted / unsupported),
    markers and notes on the slides; with --suite also detection rates and false positives on the claim set.

    Writes JSON, Markdown and (with --junit) JUnit XML reports. Exits 1 when a gate fails.
    """
    from pitchgen.app import Resources
    from pitchgen.verify.evaluation import run_evaluation

    def body():
        if not out_dirs and not suite:
            raise UsageError("give output directories or --suite", fix="e.g. pitchgen eval out/vn-e_government-vi")
        from pitchgen.vocab import parse_output_lang

        lg, variant = parse_output_lang(lang) if lang else (None, None)
        cfg = _config(root, cache_dir, embedding_model)
        res = Resources(dataclasses.replace(cfg, pt_variant=variant) if variant else cfg)
        model = nli_model or _settings(res.config.root)["verify.nli_model"].value
        report = run_evaluation(res, list(out_dirs or []), suite=suite, nli_model=model,
                                report_dir=report_dir or res.config.root / "build" / "eval" / "reports", junit=junit,
                                notify=lambda m: err.print(m, highlight=False), lang=lg)
        if as_json:
            sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        else:
            from pitchgen.verify.reports import markdown

            Console().print(markdown(report, res.phrases), highlight=False, markup=False)
        if report["gate_failures"]:
            raise typer.Exit(1)
    _run(body)


@app.command()
def verify(claim: Optional[str] = typer.Option(None, "--claim", help="Claim text."),
           lang: str = typer.Option("en", "--lang", help="Claim language: ja, vi, es, en, pt."),
           source: Optional[str] = typer.Option(None, "--source", help="Corpus document: original file name or doc id."),
           lines: Optional[str] = typer.Option(None, "--lines", help="Original line span A-B (1-based, inclusive)."),
           batch: Optional[Path] = typer.Option(None, "--batch", help="JSON lines {id, claim, lang, source, line_start, line_end}."),
           as_json: bool = typer.Option(False, "--json"), root: Optional[Path] = RootOpt) -> None:
    """Verify a claim against cited lines: prints the verdict and its reasons (anchor, span)."""
    from pitchgen.app import Resources
    from pitchgen.verify.verifier import SpanRef
    from pitchgen.vocab import parse_lang

    def body():
        res = Resources(_config(root, None, None))
        if batch is not None:
            from pitchgen.yamlio import json_lines

            fix = '{"id": "c1", "claim": "...", "lang": "es", "source": "000_8c8e251bf5ccc63e.txt", "line_start": 686, "line_end": 686}'
            for n, item in json_lines(batch, "verify line", required=("claim", "source", "line_start", "line_end"),
                                      error=UsageError, fix=fix):
                try:
                    ref = SpanRef(doc=item["source"], line_start=int(item["line_start"]), line_end=int(item["line_end"]))
                    lg = parse_lang(item.get("lang", "en"))
                except (ValueError, TypeError) as exc:
                    raise UsageError(f"bad verify line: {exc}", path=batch, line=n, fix=fix) from None
                v = res.verifier.verify(str(item.get("id", n)), item["claim"], lg, [ref])
                sys.stdout.write(json.dumps(v.model_dump(), ensure_ascii=False) + "\n")
            return
        if not (claim and source and lines):
            raise UsageError("give --claim, --source and --lines (or --batch FILE)",
                             fix="e.g. pitchgen verify --claim 'Perú adoptó ISDB-T en 2009' --lang es --source 000_8c8e251bf5ccc63e.txt --lines 832-832")
        try:
            a, _, b = lines.partition("-")
            ref = SpanRef(doc=source, line_start=int(a), line_end=int(b or a))
        except ValueError:
            raise UsageError(f"--lines {lines!r} is not A-B", fix="e.g. --lines 684-686") from None
        v = res.verifier.verify("claim", claim, parse_lang(lang), [ref])
        if as_json:
            sys.stdout.write(json.dumps(v.model_dump(), ensure_ascii=False, indent=2) + "\n")
            return
        out = Console()
        out.print(f"{v.verdict.upper()}", highlight=False)
        for r in v.reasons:
            out.print(f"  {r.outcome:12s} {r.check:10s} {r.anchor}  {r.span}  {r.detail}", highlight=False, markup=False)
        if not v.reasons:
            out.print("  no anchor a deterministic check could test", highlight=False)
    _run(body)


config_app = typer.Typer(no_args_is_help=True, help="Configuration: pitchgen.toml (user, project) < environment < flags.")
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show(root: Optional[Path] = RootOpt, cache_dir: Optional[Path] = CacheOpt, embedding_model: Optional[str] = ModelOpt) -> None:
    """Print the effective configuration and where each value comes from; secrets are masked."""
    from pitchgen.settings import show

    def body():
        r = (root or _default_root()).resolve()
        Console().print(show(_settings(r, cache_dir, embedding_model), os.environ), highlight=False, markup=False)
    _run(body)


cases_app = typer.Typer(no_args_is_help=True, help="Case records (corpus/cases/): check, list, show, draft from the karte tables.")
app.add_typer(cases_app, name="cases")


def _casebook(root: Optional[Path], folder: Optional[Path] = None):
    from pitchgen.app import Resources
    from pitchgen.cases.store import CaseBook

    res = Resources(_config(root, None, None))
    return res, CaseBook(folder or res.config.corpus_dir / "cases", res.corpus, res.vocab, res.sdg)


@cases_app.command("check")
def cases_check(root: Optional[Path] = RootOpt,
                coverage: bool = typer.Option(True, "--coverage/--no-coverage", help="Also require a record for every karte row."),
                folder: Optional[Path] = typer.Option(None, "--dir", help="Check only this folder (implies --no-coverage)."),
                verify_texts: bool = typer.Option(False, "--verify-texts", help="Also run the claim verifier over every output and outcome text, in every language.")) -> None:
    """Validate every case record; print file:line, the problem and the fix. Exits 1 on any problem."""
    def body():
        from pitchgen.cases.draft import karte_rows
        from pitchgen.cases.store import verify_fact_texts

        res, book = _casebook(root, folder)
        cover = coverage and folder is None
        problems = list(book.problems)
        if verify_texts:
            problems += verify_fact_texts(book, res.verifier)
        n_files = len(list(book.dir.rglob("*.yaml")))
        if cover:
            covered = {r.karte_line for r in book.records if r.karte_line}
            for chunk in karte_rows(res.corpus, res.glossary):
                if chunk.line_start not in covered:
                    problems.append(f"{chunk.source_file}:{chunk.line_start}: karte row has no valid case record "
                                    f"({chunk.text.split(chr(9))[0][:30]}) Fix: curate its draft (pitchgen cases draft) into corpus/cases/")
        for p in problems:
            err.print(str(p), highlight=False, markup=False)
        err.print(f"{len(book.records)} valid records in {n_files} files; {len(problems)} problem(s)")
        if problems:
            raise typer.Exit(1)
    _run(body)


@cases_app.command("list")
def cases_list(country: Optional[str] = typer.Option(None, "--country", help="ISO2 code or region:<code>."),
               sector: Optional[str] = typer.Option(None, "--sector"),
               stage: Optional[str] = typer.Option(None, "--stage", help="consideration, agreement, survey or order (reached)."),
               as_json: bool = typer.Option(False, "--json"), root: Optional[Path] = RootOpt) -> None:
    """List case records, filtered; --json carries every record with its sources."""
    def body():
        from pitchgen.cases.select import filter_records, record_json
        from pitchgen.records import CASE_STAGES

        res, book = _casebook(root)
        if stage and stage not in CASE_STAGES:
            from pitchgen.errors import UnknownValueError

            raise UnknownValueError("stage", stage, CASE_STAGES)
        if sector:
            res.vocab.sector(sector)
        recs = filter_records(book.records, country=country, sector=sector, stage=stage)
        if as_json:
            sys.stdout.write(json.dumps({"cases": [record_json(r, res.corpus) for r in recs]}, ensure_ascii=False, indent=2) + "\n")
            return
        out = Console()
        for r in recs:
            reached = r.stages[-1].stage if r.stages else "-"
            out.print(f"{r.id:42s} {r.country:18s} {r.sector:20s} {reached:13s} {r.title.get('en', '')}", highlight=False)
        err.print(f"{len(recs)} record(s)")
    _run(body)


@cases_app.command("show")
def cases_show(case_id: str = typer.Argument(..., help="Record id."),
               lang: str = typer.Option("en", "--lang", help="Language of titles and labels."),
               root: Optional[Path] = RootOpt) -> None:
    """Show one case record with its stages and sources."""
    def body():
        from pitchgen.cases.select import render_text
        from pitchgen.vocab import parse_lang

        lg = parse_lang(lang)
        res, book = _casebook(root)
        try:
            rec = book.get(case_id)
        except KeyError:
            from pitchgen.errors import UnknownValueError

            raise UnknownValueError("case id", case_id, [r.id for r in book.records]) from None
        Console().print(render_text(rec, lg, res.corpus), highlight=False, markup=False)
    _run(body)


@cases_app.command("stats")
def cases_stats(root: Optional[Path] = RootOpt, as_json: bool = typer.Option(False, "--json")) -> None:
    """Counts of valid records by region, furthest stage, origin and curation status."""
    def body():
        from collections import Counter

        from pitchgen.cases.select import stage_reached

        res, book = _casebook(root)

        def region(code: str) -> str:
            if code.startswith("region:"):
                return code[7:]
            r = res.vocab.region_of(code)
            return r.code if r else "other"

        stats = {
            "records": len(book.records),
            "by_region": dict(Counter(region(r.country) for r in book.records).most_common()),
            "by_stage_reached": dict(Counter(stage_reached(r) or "none" for r in book.records).most_common()),
            "by_origin": dict(Counter(r.origin for r in book.records)),
            "by_curation": dict(Counter(r.curation.status for r in book.records)),
            "problems": len(book.problems),
        }
        if as_json:
            sys.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2) + "\n")
        else:
            for k, v in stats.items():
                Console().print(f"{k}: {v}", highlight=False)
    _run(body)


@cases_app.command("draft")
def cases_draft(out: Path = typer.Option(..., "--out", help="Folder for the drafts (not corpus/cases/)."),
                force: bool = typer.Option(False, "--force"), root: Optional[Path] = RootOpt) -> None:
    """Parse every karte row of the action plan into a draft record (status: draft) for curation."""
    def body():
        from pitchgen.app import Resources
        from pitchgen.cases.draft import write_drafts
        from pitchgen.errors import OutputExistsError

        if out.exists() and any(out.iterdir()) and not force:
            raise OutputExistsError(f"{out} is not empty", fix="choose an empty folder or add --force")
        res = Resources(_config(root, None, None))
        files, skipped = write_drafts(res.corpus, res.glossary, res.vocab, out)
        err.print(f"wrote {len(files)} drafts to {out}" + (f"; rows without a country: {skipped}" if skipped else ""))
    _run(body)


@app.command()
def karte(country: str = typer.Option(..., "--country", help="ISO 3166-1 alpha-2 (or region:<code>)."),
          lang: str = typer.Option(..., "--lang", help="Output language: vi, es, pt (= pt-BR), pt-PT, en, ja."),
          out: Path = typer.Option(..., "--out", help="Output .docx file."),
          force: bool = typer.Option(False, "--force", help="Replace an existing file."),
          date: Optional[str] = typer.Option(None, "--date", help="Date shown (YYYY-MM-DD; default today)."),
          root: Optional[Path] = RootOpt) -> None:
    """Country dossier: every case of a country by stage over time, with an editable timeline chart."""
    def body():
        from pitchgen.errors import OutputExistsError
        from pitchgen.render.karte_docx import render_dossier
        from pitchgen.app import Resources
        from pitchgen.vocab import parse_country, parse_output_lang

        lg, variant = parse_output_lang(lang)
        cc = country if country.startswith("region:") else parse_country(country)
        if out.suffix.lower() != ".docx":
            raise UsageError(f"--out {out} is not a .docx file", fix="e.g. --out vn-karte.docx")
        if out.exists() and not force:
            raise OutputExistsError(f"{out} already exists", fix="choose another --out or add --force to replace it")
        res, book = _casebook(root)
        if variant:
            res = Resources(dataclasses.replace(res.config, pt_variant=variant))
        for p in book.problems:
            err.print(f"[yellow]skipped:[/yellow] {p}", highlight=False)
        from pitchgen.cases.select import filter_records

        recs = sorted(filter_records(book.records, country=cc), key=lambda r: (r.sector, r.id))
        render_dossier(cc, lg, recs, res.corpus, res.phrases, res.sdg, res.vocab, out, date or datetime.date.today().isoformat())
        err.print(f"wrote {out} ({len(recs)} cases)")
    _run(body)


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
