"""Karte rows to dated, cited case events."""

from pitchgen.corpus import Corpus
from pitchgen.generate.cases import STAGES, case_from_chunk, extract_events
from pitchgen.glossary import Glossary
from pitchgen.ingest.chunker import Chunker

import pytest


@pytest.fixture(scope="module")
def karte(root):
    corpus = Corpus(root / "corpus" / "policy" / "manifest.yaml")
    doc = corpus.get("mic-action-plan-2020")
    chunks = Chunker(countries_ja=Glossary(root / "corpus" / "glossary").countries_ja).chunk(doc)
    return doc, {c.line_start: c for c in chunks if c.kind == "karte_row"}


def test_events_quote_their_own_row(karte):
    doc, rows = karte
    for line, chunk in rows.items():
        for ev in case_from_chunk(chunk).events:
            assert ev.quote in doc.lines[line - 1]
            assert ev.stage in STAGES
            assert str(ev.year) in ev.quote


def test_viet_nam_e_government_row(karte):
    _, rows = karte
    case = case_from_chunk(rows[810])
    assert case.country == "VN"
    kinds = [(e.year, e.month, e.phrase) for e in case.events]
    assert kinds == [(2018, 5, "request"), (2018, 8, "mou"), (2019, None, "training_n"), (2020, 1, "oda_signing")]
    training = case.events[2]
    assert training.count == 370 and training.year_end == 2020
    assert case.stage_reached == "survey"


def test_failed_deal_is_not_an_order(karte):
    _, rows = karte
    peru_security = case_from_chunk(rows[844])
    assert all(e.kind != "order" for e in peru_security.events)  # 金額の折り合いがつかず、案件としては成立せず


def test_planned_and_masked_entries_are_dropped():
    assert extract_events("2021年 ベトナム経済センサスで オンライン調査システムが活 用される予定") == ()
    assert extract_events("2020年末本格運用 に向けて協力") == ()


def test_fiscal_year_is_kept_distinct():
    (ev,) = extract_events("2018年度総務省予算 KPIの可能性を調査")
    assert ev.fiscal and ev.year == 2018 and ev.stage == "survey"


def test_dates_inside_html_are_carried_to_their_entry():
    (ev,) = extract_events("<p>2016年12月</p> <p>2016年5月の「8項目の協力プラン」を受け、協力覚書に署名。</p>")
    assert (ev.year, ev.month, ev.kind) == (2016, 12, "mou")


def test_peru_2019_entry_is_the_ewbs_survey_not_the_2009_expert_dispatch(karte):
    _, rows = karte
    ev2019 = [e for e in case_from_chunk(rows[832]).events if e.year == 2019]
    assert [e.phrase for e in ev2019] == ["survey_demo"]
    assert "EWBS" in ev2019[0].quote
    assert all(e.year != 2009 or e.kind == "adopted" for e in case_from_chunk(rows[832]).events)
