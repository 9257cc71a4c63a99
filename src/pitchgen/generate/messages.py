"""Source of every fixed text pitchgen shows: the gettext message catalogue.

Each message is one call ``pgettext(key, english)``: the ``msgctxt`` is the
stable key callers pass to :meth:`pitchgen.generate.phrases.Phrases.get` (e.g.
``"slide.title"``), the ``msgid`` is the English text. Messages that show a
count are ``npgettext(key, singular, plural)`` and are chosen by the ``n``
value. ``{placeholders}`` are filled with :meth:`str.format` after lookup, so
every translation must keep them.

``pybabel extract`` reads this file (``locales/README.md`` has the commands);
the translations live in ``locales/<locale>/LC_MESSAGES/pitchgen.po``.
``pgettext`` and ``npgettext`` below are markers, not gettext: importing this
module needs no catalog and has no side effect.

>>> MESSAGES["karte.year"], PLURALS["scope.partner"]
('Year', ('{n} case in {country}', '{n} cases in {country}'))
>>> len(MESSAGES) == len(_ENTRIES), set(PLURALS) <= set(MESSAGES)
(True, True)
"""

from __future__ import annotations


def pgettext(context: str, message: str) -> tuple[str, str]:
    """Mark ``message`` for extraction under ``context``; returns ``(context, message)``.

    >>> pgettext("karte.year", "Year")
    ('karte.year', 'Year')
    """
    return context, message


def npgettext(context: str, singular: str, plural: str) -> tuple[str, tuple[str, str]]:
    """Mark a counted message for extraction; returns ``(context, (singular, plural))``.

    >>> npgettext("scope.global", "{n} case", "{n} cases")
    ('scope.global', ('{n} case', '{n} cases'))
    """
    return context, (singular, plural)


_ENTRIES: tuple[tuple[str, str | tuple[str, str]], ...] = (
    # --- Country dossier (karte): headings, table heads ---
    pgettext("karte.title", "{country}: ICT cooperation cases (country dossier)"),
    pgettext("karte.subtitle", "Cases by stage over time · {date}"),
    # TRANSLATORS: {n} is a number of cases.
    npgettext("karte.summary", "{n} case (by furthest stage reached)", "{n} cases (by furthest stage reached)"),
    pgettext("karte.timeline", "Timeline by stage"),
    pgettext("karte.case", "Case"),
    pgettext("karte.stage", "Stage"),
    pgettext("karte.date", "Date"),
    pgettext("karte.event", "Event"),
    pgettext("karte.source", "Source"),
    pgettext("karte.financing", "Financing"),
    pgettext("karte.sdg", "SDG targets"),
    pgettext("karte.none", "The corpus has no case in {country}."),
    pgettext("karte.reached", "Furthest stage"),
    pgettext("karte.year", "Year"),
    pgettext("karte.results", "Results (outputs, outcomes and amounts):"),
    # --- Financing schemes of a case (CaseRecord.financing) ---
    pgettext("fin.jica_technical_cooperation", "JICA technical cooperation"),
    pgettext("fin.jica_grant_aid", "Grant aid"),
    pgettext("fin.yen_loan", "Yen loan"),
    pgettext("fin.oda_unspecified", "ODA"),
    pgettext("fin.jbic", "Japan Bank for International Cooperation (JBIC)"),
    pgettext("fin.jict", "JICT (public-private fund)"),
    pgettext("fin.nexi", "Nippon Export and Investment Insurance (NEXI)"),
    pgettext("fin.mic_survey_budget", "MIC-funded survey or demonstration"),
    pgettext("fin.mic_subsidy", "MIC subsidy programme"),
    pgettext("fin.jaif", "Japan-ASEAN Integration Fund (JAIF)"),
    pgettext("fin.multilateral", "International organisation"),
    pgettext("fin.partner_government", "Partner government budget"),
    pgettext("fin.private", "Private funds"),
    # --- Pitch deck: slide titles and subtitles ---
    pgettext("slide.title", "{sector}: a cooperation proposal for {country}"),
    pgettext("slide.subtitle", "Evidence-based proposal from Japan's experience · {date}"),
    pgettext("slide.challenge", "{country}'s challenge"),
    pgettext("slide.solution", "Proposed solution and outputs"),
    pgettext("slide.chain", "Output → Outcome → SDG target"),
    pgettext("slide.cases", "Past cases: timeline by stage"),
    pgettext("slide.case_facts", "Past cases: key results"),
    pgettext("slide.pathway", "Cooperation and financing pathway"),
    pgettext("slide.next_steps", "Next steps"),
    # --- Pitch deck: logframe and case table columns ---
    pgettext("col.output", "Output"),
    pgettext("col.outcome", "Outcome"),
    pgettext("col.sdg", "SDG target"),
    pgettext("col.case", "Case"),
    # --- Cooperation stages, in deck order ---
    pgettext("stage.consideration", "Consideration"),
    pgettext("stage.agreement", "MoU and talks"),
    pgettext("stage.survey", "Survey and demonstration"),
    pgettext("stage.order", "Order and operation"),
    # --- Case selection: how many cases come from the partner, its region, other regions ---
    # TRANSLATORS: {n} is a number of cases, {country} a country name.
    npgettext("scope.partner", "{n} case in {country}", "{n} cases in {country}"),
    # TRANSLATORS: {n} is a number of cases, {region} a region name (e.g. ASEAN).
    npgettext("scope.region", "{n} same-sector case in the region ({region})", "{n} same-sector cases in the region ({region})"),
    # TRANSLATORS: {n} is a number of cases.
    npgettext("scope.global", "{n} same-sector case in other regions", "{n} same-sector cases in other regions"),
    pgettext("scope.none", "The corpus has no case in {country}; regional and global cases are shown instead."),
    # --- Short marks, speaker notes and the brief's summary ---
    pgettext("sdg.abbr", "SDG"),
    pgettext("empty", "The corpus holds no evidence for this section."),
    # TRANSLATORS: {language} is a language name in the output language.
    pgettext("fallback.target", "(no official translation; original {language} text)"),
    pgettext("unofficial", "(unofficial translation)"),
    pgettext("notes.sdg_source", "SDG target and indicator wording: official UN text (A/RES/70/1, open-sdg)."),
    pgettext("brief.summary", "This brief proposes cooperation with {country} in {sector}, based on past cases and Japanese policy documents. Every claim cites its source."),
    # TRANSLATORS: {n} is the claim's footnote marker, not a count.
    pgettext("notes.unverified", "[{n}] Check: this claim has no number or name an automatic check could test; compare it with the original text."),
    # TRANSLATORS: Separator between stages; keep the spaces.
    pgettext("arrow", " → "),
    # --- Brief (DOCX) labels, returned together by Phrases.labels() ---
    pgettext("labels.summary", "Summary"),
    pgettext("labels.logframe", "Logical framework"),
    pgettext("labels.output", "Output"),
    pgettext("labels.outcome", "Outcome"),
    pgettext("labels.impact", "Impact"),
    pgettext("labels.sdg_target", "SDG target"),
    pgettext("labels.indicator", "Indicator"),
    pgettext("labels.evidence", "Evidence"),
    pgettext("labels.references", "References"),
    pgettext("labels.lines_label", "lines"),
    pgettext("labels.generated_label", "Date"),
    pgettext("labels.unverified", "(check: not verified automatically)"),
    pgettext("labels.scope_note", "Case selection"),
    # --- Dates ---
    # TRANSLATORS: {year} is a Japanese fiscal year (April to March), never a calendar year.
    pgettext("date.fiscal", "FY{year}"),
    # TRANSLATORS: {start} and {end} are already formatted dates.
    pgettext("date.range", "{start}–{end}"),
    # --- Karte events: one dated entry each; say no more than the entry says ---
    pgettext("event.adopted", "decided to adopt the Japanese digital TV standard (ISDB-T)"),
    pgettext("event.broadcast_start", "digital terrestrial broadcasting started"),
    pgettext("event.test_broadcast", "test broadcasting started"),
    pgettext("event.joint_statement", "joint statement"),
    pgettext("event.mou", "memorandum of cooperation signed"),
    pgettext("event.mou_updated", "memorandum of cooperation extended or upgraded"),
    pgettext("event.request", "request for cooperation"),
    pgettext("event.proposal", "proposal made by Japan"),
    pgettext("event.training", "training delivered"),
    # TRANSLATORS: {n} is a head count (people trained, counted per course).
    pgettext("event.training_n", "training for {n} people in total"),
    pgettext("event.experts", "experts dispatched"),
    pgettext("event.experts_jica", "JICA experts dispatched"),
    pgettext("event.survey", "study carried out"),
    pgettext("event.demonstration", "demonstration carried out"),
    pgettext("event.survey_demo", "study and demonstration carried out"),
    pgettext("event.oda", "ODA support"),
    pgettext("event.oda_signing", "signing ceremony for ODA implementation"),
    pgettext("event.order", "order won"),
    pgettext("event.order_adopted", "system introduced"),
    # TRANSLATORS: {n} is a number of hospitals.
    pgettext("event.order_adopted_hospitals", "system introduced in {n} hospitals"),
    pgettext("event.order_service", "service started"),
    pgettext("event.meeting", "intergovernmental meeting"),
    pgettext("event.working_group", "joint working group held"),
    pgettext("event.workshop", "workshop held"),
    pgettext("event.seminar", "seminar held"),
    pgettext("event.mission", "public-private mission"),
    pgettext("event.visit", "visit"),
    # TRANSLATORS: {n} is a number of visits.
    pgettext("event.visits_n", "{n} working visits"),
    pgettext("event.presentation", "presentation to the government"),
    pgettext("event.study", "internal study in Japan"),
    # --- Level of a meeting, appended to an event (keeps its leading space) ---
    pgettext("level.summit", " (summit level)"),
    pgettext("level.ministerial", " (ministerial level)"),
    pgettext("level.vice_ministerial", " (vice-ministerial level)"),
    pgettext("level.director", " (director-general level)"),
    # --- Claim sentences built from a karte entry ---
    pgettext("claim.event", "{country} ({field}), {date}: {event}"),
    pgettext("claim.event_undated", "{country} ({field}): {event}"),
    pgettext("claim.pathway", "{country} ({field}): {steps}"),
    # --- Claim sentences per claim type, from a case record: output, outcome, financing ---
    # TRANSLATORS: {output} is what the case produced, already in the output language.
    pgettext("claim.output", "{country} ({field}): {output}"),
    pgettext("claim.output_dated", "{country} ({field}), {date}: {output}"),
    # TRANSLATORS: {outcome} is a development result, already in the output language.
    pgettext("claim.outcome", "{country} ({field}), outcome: {outcome}"),
    # TRANSLATORS: {target} is an SDG target id (11.5); {indicators} lists SDG indicator ids (11.5.1, 11.5.2).
    pgettext("claim.outcome_sdg", "{country} ({field}), outcome: {outcome}. It serves SDG target {target}, measured by indicators {indicators}"),
    # TRANSLATORS: {schemes} is a list of financing schemes (fin.* messages).
    pgettext("claim.financed", "{country} ({field}): financed through {schemes}"),
    # TRANSLATORS: {amount} is an amount.* phrase, e.g. "grant aid of about 2 billion yen".
    pgettext("claim.financed_amount", "{country} ({field}): {amount}"),
    # --- What an amount measures (CaseAmount.kind); {amount} is a formatted amount ---
    pgettext("amount.oda", "ODA of {amount}"),
    pgettext("amount.grant_aid", "grant aid of {amount}"),
    pgettext("amount.loan", "a loan of {amount}"),
    pgettext("amount.investment", "investment and loans of {amount}"),
    pgettext("amount.total_cost", "a total project cost of {amount}"),
    pgettext("amount.order_value", "orders worth {amount}"),
    # --- How the source qualifies an amount (CaseAmount.qualifier) ---
    pgettext("qualifier.approx", "about {amount}"),
    pgettext("qualifier.max", "up to {amount}"),
    pgettext("qualifier.min", "at least {amount}"),
    # TRANSLATORS: Speaker note; {n} is the claim's footnote marker, {original} the Japanese wording, {source} file and lines.
    pgettext("notes.amount_original", "[{n}] Amount as the source states it: {original} ({source})"),
    # TRANSLATORS: Speaker note when a language model's answer could not be used; {backend} names the model.
    pgettext("notes.llm_fallback", "Template sentences on this slide: the model ({backend}) gave no usable answer after a retry (details in claims.json, generation)."),
    # --- Faithfulness report of a deck (pitchgen eval) ---
    pgettext("report.title", "pitchgen faithfulness report"),
    pgettext("report.decks", "Decks"),
    pgettext("report.col.output", "output"),
    pgettext("report.col.claims", "claims"),
    pgettext("report.col.cited", "cited"),
    pgettext("report.col.resolved", "resolved"),
    pgettext("report.col.ok", "ok"),
    pgettext("verdict.supported", "supported"),
    pgettext("verdict.unverified", "unverified"),
    pgettext("verdict.contradicted", "contradicted"),
    pgettext("verdict.unsupported", "unsupported"),
    # TRANSLATORS: {deck} is an output folder name.
    pgettext("report.not_supported", "{deck}: claims not supported"),
    pgettext("report.fail", "FAIL"),
    # TRANSLATORS: Marks a finding that is reported but does not fail the output.
    pgettext("report.warning", "warning"),
    pgettext("report.gates", "Gates"),
    pgettext("report.gates_passed", "all gates passed"),
    pgettext("report.gate_failed", "FAILED"),
)

MESSAGES: dict[str, str] = {key: text if isinstance(text, str) else text[0] for key, text in _ENTRIES}
"""Every message: key (``msgctxt``) -> English ``msgid`` (the singular for counted messages)."""

PLURALS: dict[str, tuple[str, str]] = {key: text for key, text in _ENTRIES if not isinstance(text, str)}
"""Counted messages: key -> English ``(singular, plural)``, chosen by the ``n`` value."""
