"""Render the 2-4 page DOCX brief from a :class:`~pitchgen.records.DeckPlan` with docxtpl.

This is the only module that imports docxtpl (and, through it, python-docx
and Jinja). It has three parts:

* :func:`brief_context` - pure: ``DeckPlan`` + localized labels -> a plain,
  JSON-serialisable dict (the template context, with markers as strings);
* :func:`estimate_pages` - pure: the context -> estimated page count;
* :func:`render_brief` - the adapter: checks the template, turns markers
  into docxtpl ``RichText`` (superscript), renders with autoescaping and
  writes the file atomically.

The template is built by ``templates/docx/build_template.py``; its module
docstring lists every tag. References are an endnote-style list because
docxtpl cannot write Word footnotes.

Reference numbering: a reference's number is its claim's marker. When one
marker carries several distinct citations (one claim with two citations, or
two claims sharing a marker), they are listed as ``3a``, ``3b``, ... in claim
order then citation order, so the ``[3]`` on a bullet leads to ``[3a]`` and
``[3b]``. A single citation keeps the plain number ``3``. Identical citations
under one marker are listed once.
"""

from __future__ import annotations

import math
import string
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pitchgen.fsutil import atomic_save
from pitchgen.errors import GenerationError, TemplateError
from pitchgen.records import Citation, DeckPlan

REQUIRED_LABELS: tuple[str, ...] = (
    "summary",
    "logframe",
    "output",
    "outcome",
    "impact",
    "sdg_target",
    "indicator",
    "evidence",
    "references",
    "lines_label",
    "generated_label",
    "scope_note",
)
"""Label keys :func:`brief_context` needs, each a localized fixed string."""

REQUIRED_TAGS: frozenset[str] = frozenset({"title", "sections", "logframe", "references"})
"""Context variables a DOCX template must use to count as a brief template."""

LOGFRAME_FIELDS: tuple[str, ...] = (
    "output",
    "outcome",
    "impact",
    "sdg_target",
    "indicator",
    "evidence",
)
"""Logframe table columns, in table order (also the label keys of the header)."""

MARKER_COLOR = "1F4E79"
"""RGB hex colour of the superscript citation markers in bullets."""

# --- page model (see estimate_pages) -----------------------------------------
LINES_PER_PAGE = 45
"""Body lines per A4 page (25.7 cm text block, 10.5 pt, 1.15 spacing plus paragraph gaps)."""
COLUMNS_PER_LINE = 90
"""Latin characters per body line (17 cm at 10.5 pt Noto Sans); a CJK character counts 2."""
TITLE_COLUMNS = 47
"""Columns per title line: 20 pt title, so 90 * 10.5 / 20."""
TITLE_LINE_COST = 2.0
"""Body lines one wrapped title line takes (20 pt is about twice 10.5 pt)."""
HEADING_LINES = 2.0
"""Body lines a heading takes, spacing before and after included."""
BULLET_COLUMNS = 84
"""Columns per bullet line (the bullet indent takes about 6 columns)."""
TABLE_ROW_MIN_LINES = 3
"""Minimum body lines of one logframe row (8.5 pt text, cell padding, borders)."""
TABLE_CELL_COLUMNS = 18
"""Columns per line in one logframe cell (about 3 cm at 8.5 pt)."""
TABLE_CELL_LINE_COST = 0.8
"""Body lines per wrapped cell line (8.5 pt single-spaced vs 10.5 pt at 1.15)."""
REFERENCE_COLUMNS = 100
"""Columns per reference line (9 pt single-spaced, hanging indent)."""
REFERENCE_LINE_COST = 0.8
"""Body lines per wrapped reference line, the 2 pt gap included."""


def text_columns(text: str) -> int:
    """Display width of ``text`` in Latin-character columns.

    East Asian wide and fullwidth characters (``unicodedata.east_asian_width``
    ``"W"`` or ``"F"``) count 2 columns, every other character 1.

    >>> text_columns("防災ICT")
    7
    >>> text_columns("")
    0
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _wrapped_lines(text: str, columns: int) -> int:
    """Lines ``text`` wraps to at ``columns`` columns per line; at least 1."""
    return max(1, math.ceil(text_columns(text) / columns))


def display_quote(quote: str) -> str:
    """Join a multi-line citation quote into one line for the reference list.

    Lines are stripped of surrounding spaces and joined with nothing when
    both sides of the join are East Asian wide characters (Japanese does not
    put spaces between words), else with one space. Empty lines are dropped.
    The citation record keeps the exact quote; this only shapes its display.

    >>> display_quote("総務省は\\n防災情報を配信する。")
    '総務省は防災情報を配信する。'
    >>> display_quote("early warning\\n  systems ")
    'early warning systems'
    """
    out = ""
    for line in (part.strip() for part in quote.splitlines()):
        if not line:
            continue
        if out and not (text_columns(out[-1]) == 2 and text_columns(line[0]) == 2):
            out += " "
        out += line
    return out


def _missing_labels(labels: Mapping[str, str]) -> list[str]:
    return [key for key in REQUIRED_LABELS if key not in labels]


def _number_suffix(index: int) -> str:
    """``0 -> "a"``, ``1 -> "b"``, ..., past ``"z"``: ``".27"``, ``".28"``, ..."""
    return string.ascii_lowercase[index] if index < 26 else f".{index + 1}"


def _references(plan: DeckPlan, lines_label: str) -> list[dict[str, Any]]:
    """One entry per distinct (marker, citation), in marker order (see module docstring)."""
    by_marker: dict[int, list[Citation]] = {}
    for claim in sorted(plan.claims, key=lambda c: c.marker):  # stable: claim order within a marker
        bucket = by_marker.setdefault(claim.marker, [])
        for citation in claim.citations:
            if citation not in bucket:
                bucket.append(citation)
    refs: list[dict[str, Any]] = []
    for marker in sorted(by_marker):
        citations = by_marker[marker]
        for i, citation in enumerate(citations):
            number = str(marker) if len(citations) == 1 else f"{marker}{_number_suffix(i)}"
            refs.append(
                {
                    "number": number,
                    "marker": marker,
                    "doc_id": citation.doc_id,
                    "title": plan.doc_titles.get(citation.doc_id, citation.doc_id),
                    "source_file": citation.source_file,
                    "lines_label": lines_label,
                    "line_start": citation.line_start,
                    "line_end": citation.line_end,
                    "quote": display_quote(citation.quote),
                }
            )
    return refs


def _sections(plan: DeckPlan, unverified_mark: str = "") -> list[dict[str, Any]]:
    """Content slides (title slide skipped) with at least one bullet, as sections.

    A claim the verifier could not test (verdict ``unverified``) gets
    ``unverified_mark`` after its text, for the reviewer.
    """
    sections: list[dict[str, Any]] = []
    for number, slide in enumerate(plan.slides, start=1):
        if number == 1 or slide.role == "title":
            continue
        items: list[dict[str, str]] = []
        for bullet in slide.bullets:
            markers = ""
            text = bullet.text
            if bullet.claim_id is not None:
                try:
                    claim = plan.claim(bullet.claim_id)
                    markers = f"[{claim.marker}]"
                    if claim.verdict == "unverified" and unverified_mark:
                        text = f"{text} {unverified_mark}"
                except KeyError:
                    raise GenerationError(
                        f"slide {number} ({slide.role}) shows claim {bullet.claim_id!r}, "
                        "which is not in the plan's claims",
                        fix="rebuild the plan; every bullet's claim_id must name one of plan.claims",
                    ) from None
            items.append({"text": text, "markers": markers})
        if items:
            sections.append({"heading": slide.title, "items": items})
    return sections


def brief_context(plan: DeckPlan, labels: Mapping[str, str]) -> dict[str, Any]:
    """Build the docxtpl context of the brief; pure and JSON-serialisable.

    Args:
        plan: the deck plan; ``plan.slides[0]`` is the title slide.
        labels: localized fixed strings for ``plan.lang``; must contain every
            key of :data:`REQUIRED_LABELS` (extra keys are kept).

    Returns:
        A new dict (nothing is shared with the inputs)::

            {
              "lang": str,                 # plan.lang
              "title": str,                # plan.slides[0].title
              "subtitle": str,             # plan.slides[0].subtitle ("" -> line dropped)
              "generated_label": str,      # labels["generated_label"]
              "generated_on": str,         # plan.generated_on (ISO date)
              "summary": str,              # plan.summary ("" -> section dropped)
              "case_scope_note": str,      # plan.case_scope_note ("" -> dropped)
              "labels": dict[str, str],    # copy of labels
              "sections": [                # slides 2.. with bullets, deck order
                {"heading": str,           # slide.title
                 "items": [{"text": str,   # bullet.text
                            "markers": str # "[n]" (claim marker) or ""
                           }]}
              ],
              "logframe": [                # plan.logframe, table order
                {"output", "outcome", "impact", "sdg_target",
                 "indicator", "evidence": str}
              ],
              "references": [              # marker order, see module docstring
                {"number": str,            # "3", or "3a"/"3b" for several citations
                 "marker": int, "doc_id": str,
                 "title": str,             # plan.doc_titles.get(doc_id, doc_id)
                 "source_file": str, "lines_label": str,
                 "line_start": int, "line_end": int,   # 1-based, inclusive
                 "quote": str}             # one line, see display_quote
              ],
            }

    Raises:
        TemplateError: a key of :data:`REQUIRED_LABELS` is missing from
            ``labels`` (all missing keys are named).
        GenerationError: the plan has no slides, or a bullet names a claim
            the plan does not contain.
    """
    missing = _missing_labels(labels)
    if missing:
        raise TemplateError(
            f"brief labels are missing key(s): {', '.join(missing)}",
            fix=f"supply every label for language {plan.lang!r}: {', '.join(REQUIRED_LABELS)}",
        )
    if not plan.slides:
        raise GenerationError(
            "the deck plan has no slides, so the brief has no title",
            fix="rebuild the plan; its first slide must be the title slide",
        )
    title_slide = plan.slides[0]
    return {
        "lang": plan.lang,
        "title": title_slide.title,
        "subtitle": title_slide.subtitle,
        "generated_label": labels["generated_label"],
        "generated_on": plan.generated_on,
        "summary": plan.summary,
        "case_scope_note": plan.case_scope_note,
        "labels": dict(labels),
        "sections": _sections(plan, labels.get("unverified", "")),
        "logframe": [{field: getattr(row, field) for field in LOGFRAME_FIELDS} for row in plan.logframe],
        "references": _references(plan, labels["lines_label"]),
    }


def estimate_pages(context: Mapping[str, Any]) -> float:
    """Estimate the rendered brief's length in A4 pages (2 cm margins); never raises on content.

    The model counts *body lines* (10.5 pt at 1.15 spacing, paragraph gaps
    included) and divides by :data:`LINES_PER_PAGE` (45). Text width is
    measured with :func:`text_columns` (a CJK character is 2 columns, a
    Latin one 1) and wrapped at :data:`COLUMNS_PER_LINE` (90):

    * title: 2 lines per wrapped 47-column line, plus 1 for its rule;
      subtitle and the "generated on" line: 1 line per 90 columns;
    * each heading (summary, sections, logframe, references, plus the
      "generated on" line): 2 lines;
    * summary and scope note: wrapped at 90 columns; bullets at 84;
    * logframe: the header row and each row take
      ``max(3, 0.8 * wrapped lines of the longest cell at 18 columns)``;
    * each reference: ``0.8 *`` its wrapped lines at 100 columns.

    Missing keys count as empty, so partial contexts are accepted.
    Calibration against LibreOffice 7 layouts of test briefs (Latin text
    fell back to DejaVu Sans, a little wider than Noto Sans): Spanish
    briefs of 1 / 3 / 4 laid-out pages estimated 0.84 / 2.94 / 3.61, a
    Japanese one of 4 pages 3.45; so read the result as "content fills
    about this many pages", within half a page. The caller decides what to
    do outside the 2-4 page budget.

    Args:
        context: a dict shaped like :func:`brief_context`'s result
            (markers as strings).

    Returns:
        Estimated pages, a float >= 0 (not rounded).

    >>> ctx = {"title": "防災ICTの提案", "summary": "総務省の計画に基づく。" * 10,
    ...        "sections": [{"heading": "課題", "items": [{"text": "警報" * 30, "markers": "[1]"}]}]}
    >>> round(estimate_pages(ctx), 2)
    0.29
    """
    lines = 0.0
    title = str(context.get("title", ""))
    if title:
        lines += TITLE_LINE_COST * _wrapped_lines(title, TITLE_COLUMNS) + 1
    if context.get("subtitle"):
        lines += _wrapped_lines(str(context["subtitle"]), COLUMNS_PER_LINE)
    lines += 1  # generated-on line
    if context.get("summary"):
        lines += HEADING_LINES + _wrapped_lines(str(context["summary"]), COLUMNS_PER_LINE)
    for section in context.get("sections", ()):
        lines += HEADING_LINES
        for item in section.get("items", ()):
            text = f"{item.get('text', '')}{item.get('markers', '')}"
            lines += _wrapped_lines(text, BULLET_COLUMNS)
    if context.get("case_scope_note"):
        note = f"{context.get('labels', {}).get('scope_note', '')}: {context['case_scope_note']}"
        lines += _wrapped_lines(note, COLUMNS_PER_LINE)
    logframe = list(context.get("logframe", ()))
    if logframe:
        labels = context.get("labels", {})
        header = [str(labels.get(field, "")) for field in LOGFRAME_FIELDS]
        lines += HEADING_LINES
        for cells in [header, *([str(row.get(f, "")) for f in LOGFRAME_FIELDS] for row in logframe)]:
            longest = max((_wrapped_lines(cell, TABLE_CELL_COLUMNS) for cell in cells), default=1)
            lines += max(TABLE_ROW_MIN_LINES, TABLE_CELL_LINE_COST * longest)
    references = list(context.get("references", ()))
    if references:
        lines += HEADING_LINES
        for ref in references:
            text = (
                f"[{ref.get('number', '')}] {ref.get('title', '')} — {ref.get('source_file', '')}, "
                f"{ref.get('lines_label', '')} {ref.get('line_start', '')}–{ref.get('line_end', '')}: "
                f"「{ref.get('quote', '')}」"
            )
            lines += REFERENCE_LINE_COST * _wrapped_lines(text, REFERENCE_COLUMNS)
    return lines / LINES_PER_PAGE


def _check_template_file(template: Path) -> None:
    """Raise TemplateError unless ``template`` is an existing .docx package."""
    fix = "build it with '.venv/bin/python templates/docx/build_template.py' or pass the right path"
    if not template.is_file():
        raise TemplateError("DOCX template not found", fix=fix, path=template)
    if not zipfile.is_zipfile(template):
        raise TemplateError("DOCX template is not a .docx file (not a zip package)", fix=fix, path=template)
    with zipfile.ZipFile(template) as package:
        if "word/document.xml" not in package.namelist():
            raise TemplateError(
                "DOCX template is not a Word document (no word/document.xml)", fix=fix, path=template
            )


def _with_rich_markers(context: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of ``context`` whose bullet markers are superscript docxtpl RichText."""
    from docxtpl import RichText

    sections = [
        {
            **section,
            "items": [
                {**item, "markers": RichText(item["markers"], superscript=True, color=MARKER_COLOR)}
                for item in section["items"]
            ],
        }
        for section in context["sections"]
    ]
    return {**context, "sections": sections}




def render_brief(plan: DeckPlan, template: Path, out_path: Path, labels: Mapping[str, str]) -> None:
    """Render the brief of ``plan`` to ``out_path`` through the docxtpl ``template``.

    Builds the context with :func:`brief_context`, renders it with Jinja
    autoescaping (so ``&`` or ``<`` in text stay valid XML) and strict
    undefined variables, then writes a temporary file in ``out_path``'s
    directory and moves it into place with ``os.replace`` (an existing file
    is replaced; a failed render leaves it untouched). The page budget is
    not enforced here: call :func:`estimate_pages` on the context.

    Args:
        plan: the deck plan.
        template: a ``.docx`` built by ``templates/docx/build_template.py``
            (or an edited copy using the same tags).
        out_path: destination ``.docx``; missing parent directories are created.
        labels: localized fixed strings, see :data:`REQUIRED_LABELS`.

    Raises:
        TemplateError: a label is missing; the template is missing, not a
            .docx, lacks one of :data:`REQUIRED_TAGS`, has a Jinja syntax
            error or uses a variable the context does not define.
        GenerationError: the plan is inconsistent (see :func:`brief_context`).
    """
    import jinja2
    from docxtpl import DocxTemplate

    template = Path(template)
    out_path = Path(out_path)
    context = brief_context(plan, labels)
    _check_template_file(template)
    fix = "rebuild the template with templates/docx/build_template.py or fix the tag"
    try:
        doc = DocxTemplate(str(template))
        used = doc.get_undeclared_template_variables()
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"DOCX template has a Jinja syntax error: {exc.message}", fix=fix, path=template) from exc
    except Exception as exc:  # python-docx raises several types for broken packages
        raise TemplateError(f"DOCX template cannot be opened: {exc}", fix=fix, path=template) from exc
    lacking = sorted(REQUIRED_TAGS - used)
    if lacking:
        raise TemplateError(
            f"DOCX template lacks tag(s) for: {', '.join(lacking)}",
            fix=fix,
            path=template,
        )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        doc.render(_with_rich_markers(context), jinja_env=env)
    except jinja2.TemplateError as exc:
        raise TemplateError(f"DOCX template failed to render: {exc}", fix=fix, path=template) from exc

    atomic_save(out_path, doc.save)
