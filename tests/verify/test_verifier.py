"""The deterministic verifier: verdicts and reasons across languages."""

import pytest

from pitchgen.verify.anchors import overclaim_cues, typed_numbers
from pitchgen.verify.verifier import SpanRef

PLAN = "000_8c8e251bf5ccc63e.txt"


@pytest.fixture(scope="module")
def v(resources):
    return resources.verifier


def verdict(v, text, lang, a, b, doc=PLAN, quote=None):
    return v.verify("t", text, lang, [SpanRef(doc=doc, line_start=a, line_end=b, quote=quote)])


@pytest.mark.parametrize("text,lang", [
    ("Perú adoptó la norma ISDB-T en 2009.", "es"),
    ("Peru decided to adopt ISDB-T in 2009.", "en"),
    ("Peru quyết định áp dụng chuẩn ISDB-T năm 2009.", "vi"),
    ("ペルーは2009年に日本方式の採用を決定した。", "ja"),
])
def test_supported_in_every_language(v, text, lang):
    out = verdict(v, text, lang, 832, 832)
    assert out.verdict == "supported", out.reasons
    assert {r.check for r in out.reasons} >= {"number", "entity"}


def test_wrong_year_and_wrong_country_are_contradicted(v):
    assert verdict(v, "Perú adoptó la norma ISDB-T en 2008.", "es", 832, 832).verdict == "contradicted"
    out = verdict(v, "Chile adoptó la norma ISDB-T en 2009.", "es", 832, 832)
    assert out.verdict == "contradicted" and any(r.check == "entity" and r.outcome == "contradicted" for r in out.reasons)


def test_value_in_another_role_does_not_support(v):
    # line 810: 延べ370名に研修 (persons) and dates 2018, 2019, 2020; "2018 personas" is a year used as a count
    ok = verdict(v, "Se capacitó a 370 personas en Viet Nam.", "es", 810, 810)
    assert ok.verdict == "supported", ok.reasons
    assert verdict(v, "Se capacitó a 2018 personas en Viet Nam.", "es", 810, 810).verdict == "contradicted"


def test_fiscal_year_is_not_a_calendar_year():
    (fy,) = [a for a in typed_numbers("año fiscal 2018", "es")]
    (cal,) = [a for a in typed_numbers("2018年度", "ja")]
    assert fy.kind == cal.kind == "fiscal_year"
    assert typed_numbers("en 2018", "es")[0].kind == "year"


def test_amount_scales_match_across_languages(v):
    # 000:267 ... 5 億円の ODA ...
    for text, lang in [("ODA de 500 millones de yenes para el gobierno electrónico de Viet Nam", "es"),
                       ("ODA 500 triệu yên cho Chính phủ điện tử Việt Nam", "vi"),
                       ("ODA of 500 million yen for Viet Nam's e-government", "en")]:
        assert verdict(v, text, lang, 267, 267).verdict == "supported", (text, verdict(v, text, lang, 267, 267).reasons)
    assert verdict(v, "ODA de 500 mil millones de yenes para Viet Nam", "es", 267, 267).verdict == "contradicted"


def test_negation_and_overclaim(v):
    assert verdict(v, "Perú no adoptó la norma ISDB-T en 2009.", "es", 832, 832).verdict == "contradicted"
    cues = overclaim_cues("Chile adoptó el sistema en todo el país", "es", "海底ケーブルを用いた地震・津波観測システム導入に向けた調査研究を実施")
    assert any(c.startswith("scope") for c in cues) and any(c.startswith("stage") for c in cues)
    out = verdict(v, "Chile implantó el sistema de observación de sismos y tsunamis en todo el país en el año fiscal 2018.", "es", 860, 860)
    assert out.verdict == "contradicted" and any(r.check == "overclaim" for r in out.reasons)


def test_failed_deal_cannot_be_claimed_as_done(v):
    line = 844
    quote = "2016年 ・物流センターでの顔認証を用いた入退管理については実証後、金額の折り合いがつかず、案件としては成立せず"
    out = verdict(v, "Perú (biometría): contrato y operación", "es", line, line, quote=quote)
    assert out.verdict == "contradicted"


def test_sdg_anchor_supported_by_outcome_chain_or_contradicted(v):
    # 000:458 is the source of the disaster chain (targets 11.5, 13.1)
    assert verdict(v, "Menos muertos y heridos en desastres (ODS 11.5).", "es", 458, 458).verdict == "supported"
    out = verdict(v, "Menos muertos y heridos en desastres (ODS 3.8).", "es", 458, 458)
    assert out.verdict == "contradicted" and any(r.check == "sdg" for r in out.reasons)
    assert verdict(v, "Reduce las víctimas (ODS 11.5).", "es", 1002, 1002).verdict == "unsupported"


def test_unverified_and_unresolved(v):
    assert verdict(v, "Los desastres naturales van en aumento.", "es", 390, 390).verdict == "unverified"
    out = verdict(v, "Perú adoptó ISDB-T en 2009.", "es", 832, 832, quote="存在しない")
    assert out.verdict == "unsupported" and not out.resolved
    out = verdict(v, "Perú adoptó ISDB-T en 2009.", "es", 5000, 5001)
    assert out.verdict == "unsupported" and out.reasons[0].check == "citation"
    assert v.verify("t", "x 2009", "es", []).verdict == "unsupported"


def test_vietnamese_compounds_are_not_entities_or_negations(v):
    # "giải pháp" (solution) is not "Pháp" (France); "không dây" (wireless) is not a negation
    out = verdict(v, "Giải pháp mạng không dây cho Việt Nam", "vi", 804, 804)
    assert all(r.anchor not in ("Pháp", "negation") for r in out.reasons)


def test_generated_decks_hold_no_refused_claim(resources, tiny_index, tmp_path):
    from pitchgen.app import generate

    plan, _ = generate(resources, "PE", "disaster_prevention", "es", tmp_path / "pe", "2026-11-20", index=tiny_index)
    assert plan.claims and all(c.verdict in ("supported", "unverified") for c in plan.claims)
    assert plan.rejected, "the Peru face-recognition pilot (成立せず) must be refused, not shown"
    unverified = [c for c in plan.claims if c.verdict == "unverified"]
    notes = " ".join(n for s in plan.slides for n in s.notes)
    assert all(f"[{c.marker}]" in notes for c in unverified)
