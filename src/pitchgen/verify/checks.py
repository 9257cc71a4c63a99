"""Deterministic checks of a generated output directory (``pitchgen eval``).

Per claim (from ``claims.json``):

* ``has_citation``: at least one citation;
* ``citation_resolves``: the document exists, the lines exist, the quote is
  an exact substring of those lines;
* ``numbers_in_span``: every number and year of the claim appears in its
  cited lines after normalisation (:mod:`pitchgen.verify.numbers`).

Per deck (``deck.pptx``):

* ``marker_on_slide``: each claim's ``[n]`` marker is visible on its slide and
  its quote is in that slide's speaker notes;

Per output (deck and brief together, text read by :mod:`pitchgen.verify.deck_text`):

* ``partner_language_text``: when the output language is not Japanese, no
  slide text (titles, subtitles, bullets, table cells, grouped shapes; never
  speaker notes) and no brief body text (paragraphs, table cells) holds
  Japanese script outside quotation marks (「…」, 『…』, “…”, "…"). The
  brief's reference entries may hold Japanese in their document title, file
  name and 「quote」 (recognised as described in :mod:`pitchgen.verify.deck_text`).
  One failed result per slide (``slide3``) or brief paragraph / cell
  (``brief paragraph 12``) naming the offending text; one passed result for
  a clean deck (``deck``) and a clean brief (``brief``). Japanese outputs
  get no result.
* ``terminology``: glossary terms written in more than one way across deck
  and brief (:func:`pitchgen.verify.deck_text.terminology_findings` gives the
  rules and why): two proper names for one system or organisation fail
  (``term:e_government``); generic words, other categories and
  non-preferred forms are warnings (:attr:`EvalReport.warnings`, never a
  failure). One passed result (``-``) when nothing fails.

An exception inside a check is a failed check with the error as its detail,
never a silent pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pitchgen.corpus import Corpus
from pitchgen.errors import CitationError, VerificationError
from pitchgen.glossary import Glossary
from pitchgen.records import CheckResult, Claim
from pitchgen.verify.deck_text import (TextUnit, brief_units, partner_language_findings, read_deck,
                                       terminology_findings)
from pitchgen.verify.numbers import unmatched_numbers


def check_claim(claim: Claim, corpus: Corpus) -> list[CheckResult]:
    """Run the per-claim checks. Returns one result per check."""
    results = [CheckResult(check="has_citation", claim_id=claim.claim_id, passed=bool(claim.citations),
                           detail="" if claim.citations else "no citation")]
    spans: list[str] = []
    problems: list[str] = []
    for c in claim.citations:
        try:
            corpus.resolve(c)
            spans.append(corpus.get(c.doc_id).span(c.line_start, c.line_end))
        except CitationError as exc:
            problems.append(exc.message)
    results.append(CheckResult(check="citation_resolves", claim_id=claim.claim_id,
                               passed=bool(claim.citations) and not problems, detail="; ".join(problems)))
    if spans:
        missing = unmatched_numbers(claim.text, claim.lang, "\n".join(spans))
        results.append(CheckResult(check="numbers_in_span", claim_id=claim.claim_id, passed=not missing,
                                   detail=f"not in cited lines: {', '.join(missing)}" if missing else ""))
    else:
        results.append(CheckResult(check="numbers_in_span", claim_id=claim.claim_id, passed=False,
                                   detail="no resolvable citation to compare against"))
    return results


@dataclass(frozen=True)
class EvalReport:
    """Result of evaluating one output directory.

    Attributes:
        out_dir: the directory.
        n_claims: number of claims in claims.json.
        results: every check result.
        verdicts: the verifier's verdict per claim (empty without a verifier).
        lang: the output language from claims.json.
        warnings: findings that are reported but never fail the output
            (``passed=True``; today only ``terminology``), see the module docstring.
    """

    out_dir: str
    n_claims: int
    results: tuple[CheckResult, ...]
    verdicts: tuple = ()
    lang: str = ""
    warnings: tuple[CheckResult, ...] = ()

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        """The failed checks."""
        return tuple(r for r in self.results if not r.passed)

    @property
    def ok(self) -> bool:
        """True when every check passed, there was at least one claim, and no claim is
        contradicted or unsupported (unverified claims are counted, not failed)."""
        bad = [v for v in self.verdicts if v.verdict in ("contradicted", "unsupported") or not v.resolved]
        return self.n_claims > 0 and not self.failed and not bad

    def deck_metrics(self) -> dict:
        """Cited share, resolved share and verdict counts over the deck's claims."""
        n = max(self.n_claims, 1)
        cited = sum(1 for r in self.results if r.check == "has_citation" and r.passed)
        resolved = sum(1 for r in self.results if r.check == "citation_resolves" and r.passed)
        counts = {k: 0 for k in ("supported", "unverified", "contradicted", "unsupported")}
        for v in self.verdicts:
            counts[v.verdict] += 1
        return {"n_claims": self.n_claims, "cited_share": round(cited / n, 4), "resolved_share": round(resolved / n, 4),
                "verdict_counts": counts}

    def summary(self) -> dict[str, dict[str, int]]:
        """check name -> {"passed": n, "failed": n}."""
        out: dict[str, dict[str, int]] = {}
        for r in self.results:
            s = out.setdefault(r.check, {"passed": 0, "failed": 0})
            s["passed" if r.passed else "failed"] += 1
        return out

    def as_dict(self) -> dict:
        """JSON-ready report."""
        return {"out_dir": self.out_dir, "ok": self.ok, "n_claims": self.n_claims, "summary": self.summary(),
                "deck": self.deck_metrics(),
                "claims": [{"claim_id": v.claim_id, "claim": v.claim, "verdict": v.verdict,
                            "reasons": [r.model_dump() for r in v.reasons]} for v in self.verdicts],
                "failures": [r.model_dump() for r in self.failed],
                "warnings": [r.model_dump() for r in self.warnings]}


def load_claims(path: Path) -> tuple[dict, tuple[Claim, ...]]:
    """Read claims.json. Raises VerificationError naming the file and the problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data, tuple(Claim.model_validate(c) for c in data["claims"])
    except FileNotFoundError as exc:
        raise VerificationError("claims.json not found", path=path, fix="run `pitchgen generate` first") from exc
    except (json.JSONDecodeError, KeyError, ValidationError) as exc:
        raise VerificationError(f"claims.json is malformed ({type(exc).__name__}: {exc})", path=path,
                                fix="regenerate the output with `pitchgen generate --force`") from exc


def deck_checks(units: Sequence[TextUnit], notes: Sequence[str], claims: tuple[Claim, ...]) -> list[CheckResult]:
    """Every claim's ``[n]`` marker is in its slide's visible text and its quote in that slide's notes.

    Args:
        units: the deck's visible text (:func:`pitchgen.verify.deck_text.read_deck`).
        notes: speaker notes per slide, in slide order.
        claims: the claims of claims.json.
    """
    bodies = ["\n".join(u.text for u in units if u.slide == n) for n in range(1, len(notes) + 1)]
    results = [CheckResult(check="deck_readable", claim_id="-", passed=True)]
    for c in claims:
        i = c.slide - 1
        flat_notes = re.sub(r"[\n\x0b]", "", notes[i]) if 0 <= i < len(notes) else ""
        ok = 0 <= i < len(bodies) and f"[{c.marker}]" in bodies[i] and all(
            re.sub(r"[\n\x0b]", "", cit.quote) in flat_notes for cit in c.citations)
        results.append(CheckResult(check="marker_on_slide", claim_id=c.claim_id, passed=ok,
                                   detail="" if ok else f"marker [{c.marker}] or its quote missing on slide {c.slide}"))
    return results


def output_units(out_dir: Path) -> tuple[list[TextUnit], list[str] | None, list[CheckResult]]:
    """``deck.pptx`` and ``brief.docx`` of ``out_dir``, each read once.

    Returns:
        (visible text units of deck and brief, the deck's notes per slide or None when the deck is
        missing or unreadable, failed results: ``deck_readable`` for a missing deck, ``deck_readable``
        and ``deck_text_readable`` for an unreadable one, ``brief_present`` / ``brief_readable``).
    """
    units: list[TextUnit] = []
    problems: list[CheckResult] = []
    notes: list[str] | None = None
    deck, brief = out_dir / "deck.pptx", out_dir / "brief.docx"
    if not deck.exists():
        problems.append(CheckResult(check="deck_readable", claim_id="-", passed=False, detail="deck.pptx missing"))
    else:
        try:
            deck_text, notes = read_deck(deck)
            units.extend(deck_text)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is a failed check
            detail = f"{deck}: {type(exc).__name__}: {exc}"
            problems += [CheckResult(check=check, claim_id="-", passed=False, detail=detail)
                         for check in ("deck_readable", "deck_text_readable")]
    if not brief.exists():
        problems.append(CheckResult(check="brief_present", claim_id="-", passed=False, detail="brief.docx missing"))
    else:
        try:
            units.extend(brief_units(brief))
        except Exception as exc:  # noqa: BLE001 - an unreadable file is a failed check
            problems.append(CheckResult(check="brief_readable", claim_id="-", passed=False, detail=f"{brief}: {type(exc).__name__}: {exc}"))
    return units, notes, problems


def partner_language_checks(units: list[TextUnit], lang: str) -> list[CheckResult]:
    """``partner_language_text`` results for deck and brief units (rules in the module docstring).

    Returns:
        [] for ``lang == "ja"``; else one failed result per slide with
        findings (claim_id ``slide<n>``, detail ``"slide 3, Title 1: '緊急警報'
        in '…'"``) and per brief paragraph or cell with findings (claim_id
        its place), plus a passed ``deck`` / ``brief`` result for each clean
        part that has text.
    """
    if lang == "ja":
        return []
    findings = partner_language_findings(units, lang)
    results: list[CheckResult] = []
    by_slide: dict[int, list[str]] = {}
    for f in findings:
        if f.unit.slide is not None:
            by_slide.setdefault(f.unit.slide, []).append(f.detail())
        else:
            results.append(CheckResult(check="partner_language_text", claim_id=f.unit.where, passed=False,
                                       detail=f"Japanese text in the brief: {f.detail()}"))
    for n, details in sorted(by_slide.items()):
        results.append(CheckResult(check="partner_language_text", claim_id=f"slide{n}", passed=False,
                                   detail=f"Japanese text on slide {n}: " + "; ".join(details)))
    if any(u.slide is not None for u in units) and not by_slide:
        results.append(CheckResult(check="partner_language_text", claim_id="deck", passed=True))
    if any(u.slide is None for u in units) and not any(f.unit.slide is None for f in findings):
        results.append(CheckResult(check="partner_language_text", claim_id="brief", passed=True))
    return results


def terminology_checks(units: list[TextUnit], lang: str, glossary: Glossary) -> tuple[list[CheckResult], list[CheckResult]]:
    """``terminology`` results and warnings over deck and brief units.

    Returns:
        (results, warnings): results hold one failed result per failing term
        (claim_id ``term:<id>``) or a single passed result (claim_id ``-``);
        warnings hold one ``passed=True`` result per warned term, detail
        starting with ``"warning: "``.
    """
    results: list[CheckResult] = []
    warnings: list[CheckResult] = []
    for f in terminology_findings(glossary, units, lang):
        if f.severity == "fail":
            results.append(CheckResult(check="terminology", claim_id=f"term:{f.term_id}", passed=False, detail=f.detail()))
        else:
            warnings.append(CheckResult(check="terminology", claim_id=f"term:{f.term_id}", passed=True,
                                        detail=f"warning: {f.detail()}"))
    if not results:
        results.append(CheckResult(check="terminology", claim_id="-", passed=True))
    return results, warnings


def _glossary(corpus: Corpus, verifier, glossary: Glossary | None) -> Glossary:
    """The glossary given, else the verifier's, else ``<corpus dir>/glossary`` beside ``policy/manifest.yaml``."""
    if glossary is not None:
        return glossary
    if verifier is not None and getattr(verifier, "glossary", None) is not None:
        return verifier.glossary
    return Glossary(corpus.manifest_path.parent.parent / "glossary")


def evaluate_dir(out_dir: str | Path, corpus: Corpus, verifier=None, glossary: Glossary | None = None) -> EvalReport:
    """Run every check on a generated output directory, and the verifier on every claim when given.

    Args:
        out_dir: a directory written by ``pitchgen generate`` (claims.json,
            deck.pptx, brief.docx).
        corpus: the policy corpus citations resolve against.
        verifier: a :class:`pitchgen.verify.verifier.Verifier`, or None to skip verdicts.
        glossary: the glossary for the ``terminology`` check; None takes the
            verifier's, else loads ``corpus/glossary`` next to the corpus's
            ``policy/`` folder. A glossary that cannot be loaded is a failed
            ``terminology`` result, never a skip.

    Raises:
        VerificationError: claims.json missing or malformed.
    """
    out_dir = Path(out_dir)
    data, claims = load_claims(out_dir / "claims.json")
    results: list[CheckResult] = []
    for claim in claims:
        try:
            results.extend(check_claim(claim, corpus))
        except Exception as exc:  # noqa: BLE001 - a crash is a failure, never a pass
            results.append(CheckResult(check="check_error", claim_id=claim.claim_id, passed=False,
                                       detail=f"{type(exc).__name__}: {exc}"))
    lang = data.get("lang", "en")
    units, notes, unreadable = output_units(out_dir)
    if notes is not None:
        results.extend(deck_checks([u for u in units if u.kind == "slide"], notes, claims))
    results.extend(unreadable)
    warnings: list[CheckResult] = []
    try:
        results.extend(partner_language_checks(units, lang))
    except Exception as exc:  # noqa: BLE001 - a crash is a failure, never a pass
        results.append(CheckResult(check="partner_language_text", claim_id="-", passed=False, detail=f"{type(exc).__name__}: {exc}"))
    try:
        term_results, warnings = terminology_checks(units, lang, _glossary(corpus, verifier, glossary))
        results.extend(term_results)
    except Exception as exc:  # noqa: BLE001 - a crash is a failure, never a pass
        results.append(CheckResult(check="terminology", claim_id="-", passed=False, detail=f"{type(exc).__name__}: {exc}"))
    verdicts = []
    if verifier is not None:
        from pitchgen.verify.verifier import SpanRef

        for claim in claims:
            try:
                verdicts.append(verifier.verify(claim.claim_id, claim.text, claim.lang, [
                    SpanRef(doc=c.doc_id, line_start=c.line_start, line_end=c.line_end, quote=c.quote) for c in claim.citations]))
            except Exception as exc:  # noqa: BLE001 - a crash is a failure, never a pass
                results.append(CheckResult(check="verifier_error", claim_id=claim.claim_id, passed=False,
                                           detail=f"{type(exc).__name__}: {exc}"))
    return EvalReport(out_dir=str(out_dir), n_claims=len(claims), results=tuple(results), verdicts=tuple(verdicts),
                      lang=data.get("lang", ""), warnings=tuple(warnings))
