"""Numeric anchors across ja/vi/es/pt/en."""

import pytest

from pitchgen.verify.numbers import extract_numbers, unmatched_numbers


@pytest.mark.parametrize("claim,lang,evidence", [
    ("2.000 millones de yenes", "es", "20億円"),
    ("2 tỷ yên", "vi", "２０億円"),
    ("2 bilhões de ienes", "pt", "20億円"),
    ("2 billion yen", "en", "20億円"),
    ("1.029 millones", "es", "累計約1,029億円"),  # es grouping dot
    ("tháng 8 năm 2018", "vi", "2018年8月 大臣間で覚書に署名"),
    ("2020", "es", "令和2年"),
    ("370 personas", "es", "延べ370名に研修実施"),
    ("20 %", "es", "生産性が20%以上向上"),
])
def test_matching_numbers(claim, lang, evidence):
    assert unmatched_numbers(claim, lang, evidence) == []


@pytest.mark.parametrize("claim,lang,evidence,missing", [
    ("3.000 millones de yenes", "es", "20億円", ["3.000 millones"]),
    ("năm 2019", "vi", "2018年度", ["2019"]),
    ("380 people", "en", "延べ370名", ["380"]),
])
def test_mismatching_numbers(claim, lang, evidence, missing):
    assert unmatched_numbers(claim, lang, evidence) == missing


def test_decimal_separators_follow_the_locale():
    assert extract_numbers("1,5", "es")[0].values == frozenset({1.5})
    assert extract_numbers("1,500", "en")[0].values == frozenset({1500.0})
    assert extract_numbers("1.500", "pt")[0].values == frozenset({1500.0})
