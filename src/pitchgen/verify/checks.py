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
* ``no_japanese_in_body``: slide body text (not notes) holds no Japanese
  outside 「quoted names」 when the output language is not Japanese.

An exception inside a check is a failed check with the error as its detail,
never a silent pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pitchgen.corpus import Corpus
from pitchgen.errors import CitationError, VerificationError
from pitchgen.records import CheckResult, Claim
from pitchgen.verify.numbers import unmatched_numbers

_JA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_QUOTED = re.compile(r"「[^」]*」")


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


def japanese_outside_quotes(text: str) -> list[str]:
    """Japanese characters left after removing 「quoted」 names.

    >>> japanese_outside_quotes("Hệ thống 「地上デジタル放送日本方式」 [3]")
    []
    >>> japanese_outside_quotes("Sistema EWBS 緊急警報")
    ['緊急警報']
    """
    return re.findall(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]+", _QUOTED.sub("", text))


@dataclass(frozen=True)
class EvalReport:
    """Result of evaluating one output directory.

    Attributes:
        out_dir: the directory.
        n_claims: number of claims in claims.json.
        results: every check result.
    """

    out_dir: str
    n_claims: int
    results: tuple[CheckResult, ...]
    verdicts: tuple = ()
    lang: str = ""

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
                "failures": [r.model_dump() for r in self.failed]}


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


def deck_checks(deck_path: Path, claims: tuple[Claim, ...], lang: str) -> list[CheckResult]:
    """Check markers, notes and body language in ``deck.pptx``."""
    from pptx import Presentation  # adapter at the edge: only read here

    try:
        prs = Presentation(str(deck_path))
    except Exception as exc:  # noqa: BLE001 - unreadable deck is a failed check
        return [CheckResult(check="deck_readable", claim_id="-", passed=False, detail=f"{deck_path}: {exc}")]
    bodies, notes = [], []
    for slide in prs.slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        bodies.append("\n".join(texts))
        notes.append(slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "")
    results = [CheckResult(check="deck_readable", claim_id="-", passed=True)]
    for c in claims:
        i = c.slide - 1
        flat_notes = re.sub(r"[\n\x0b]", "", notes[i]) if 0 <= i < len(notes) else ""
        ok = 0 <= i < len(bodies) and f"[{c.marker}]" in bodies[i] and all(
            re.sub(r"[\n\x0b]", "", cit.quote) in flat_notes for cit in c.citations)
        results.append(CheckResult(check="marker_on_slide", claim_id=c.claim_id, passed=ok,
                                   detail="" if ok else f"marker [{c.marker}] or its quote missing on slide {c.slide}"))
    if lang != "ja":
        for n, body in enumerate(bodies, start=1):
            left = japanese_outside_quotes(body)
            results.append(CheckResult(check="no_japanese_in_body", claim_id=f"slide{n}", passed=not left,
                                       detail=f"Japanese text on slide {n}: {left[:3]}" if left else ""))
    return results


def evaluate_dir(out_dir: str | Path, corpus: Corpus, verifier=None) -> EvalReport:
    """Run every check on a generated output directory, and the verifier on every claim when given.

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
    deck = out_dir / "deck.pptx"
    if deck.exists():
        results.extend(deck_checks(deck, claims, data.get("lang", "en")))
    else:
        results.append(CheckResult(check="deck_readable", claim_id="-", passed=False, detail="deck.pptx missing"))
    if not (out_dir / "brief.docx").exists():
        results.append(CheckResult(check="brief_present", claim_id="-", passed=False, detail="brief.docx missing"))
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
                      lang=data.get("lang", ""))
