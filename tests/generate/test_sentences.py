"""Template sentences: every supported language over every claim type, with the real case records."""

import re

import pytest

from pitchgen.cases.select import ScopedRecord
from pitchgen.generate.case_slides import CaseWriter
from pitchgen.records import LANGS

JA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


class _Sink:
    """Collects claims without verifying (the sentence layer only)."""

    def __init__(self, lang):
        from pitchgen.generate.planner import _Draft

        self.draft = _Draft(lang=lang)

    def add(self, *a, **k):
        return self.draft.add(*a, **k)


@pytest.mark.parametrize("lang", LANGS)
def test_every_stage_of_every_record_renders_in_every_language(resources, lang):
    files = {d.meta.doc_id: d.meta.source_file for d in resources.corpus.documents}
    writer = CaseWriter(resources.vocab, resources.glossary, resources.phrases, files)
    sink = _Sink(lang)
    n = 0
    for rec in resources.casebook.records:
        for entry in rec.stages:
            claim = writer.stage_claim(sink, ScopedRecord(rec, "partner"), entry, lang)
            assert claim is not None
            assert "{" not in claim.text and "}" not in claim.text, claim.text
            if lang != "ja":
                assert not JA.search(claim.text), claim.text
            n += 1
        routes = writer.pathways(sink, [ScopedRecord(rec, "global")], lang, 1)
        for b in routes:
            assert "{" not in b.text and (lang == "ja" or not JA.search(b.text)), b.text
    assert n > 200


@pytest.mark.parametrize("lang", LANGS)
def test_fixed_text_is_complete_in_every_language(resources, lang):
    ph = resources.phrases
    for key in ("slide.challenge", "slide.solution", "slide.chain", "slide.cases", "slide.pathway", "slide.next_steps",
                "empty", "notes.sdg_source", "fallback.target"):
        text = ph.get(lang, key, country="X", language="Y")
        assert text and (lang == "ja" or not JA.search(text)), (key, text)
    labels = ph.labels(lang)
    assert {"summary", "logframe", "references", "unverified"} <= set(labels)
