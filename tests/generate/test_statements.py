"""Statement bank: every anchor is verified at load; bad entries fail with file:line and the fix."""

import shutil

import pytest

from pitchgen.corpus import Corpus
from pitchgen.errors import CitationError, CorpusError
from pitchgen.generate.statements import StatementBank


@pytest.fixture(scope="module")
def corpus(root):
    return Corpus(root / "corpus" / "policy" / "manifest.yaml")


def test_real_bank_loads_and_covers_the_demo_sectors(root, corpus):
    bank = StatementBank(root / "corpus" / "statements", corpus, root / "corpus" / "sdg_map.yaml")
    for sector in ("disaster_prevention", "e_government"):
        for role in ("challenge", "solution", "outcome", "pathway", "next_step"):
            assert bank.for_sector(sector, role), (sector, role)
        assert bank.chains_for(sector)
    for st in bank.statements.values():
        assert set(st.text) >= {"ja", "vi", "es", "en", "pt"}


def _copy_bank(root, tmp_path):
    d = tmp_path / "statements"
    d.mkdir()
    shutil.copy(root / "corpus" / "statements" / "disaster_prevention.yaml", d)
    return d / "disaster_prevention.yaml"


def test_broken_quote_fails_with_file_and_line(root, corpus, tmp_path):
    f = _copy_bank(root, tmp_path)
    text = f.read_text(encoding="utf-8").replace("チリとペルーでは、海底ケーブル", "チリとブラジルでは、海底ケーブル")
    f.write_text(text, encoding="utf-8")
    with pytest.raises(CitationError) as e:
        StatementBank(f.parent, corpus)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "dp-solution-03" in l)
    assert f"disaster_prevention.yaml:{line}:" in str(e.value)
    assert "Fix:" in str(e.value)


def test_number_not_in_quote_is_refused(root, corpus, tmp_path):
    f = _copy_bank(root, tmp_path)
    f.write_text(f.read_text(encoding="utf-8").replace("al menos 5 países", "al menos 6 países"), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"number\(s\) \['6'\]"):
        StatementBank(f.parent, corpus)


def test_missing_language_is_refused(root, corpus, tmp_path):
    f = _copy_bank(root, tmp_path)
    lines = [l for l in f.read_text(encoding="utf-8").splitlines() if not l.strip().startswith("pt:")]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no text in pt"):
        StatementBank(f.parent, corpus)


def test_sdg_map_chains_are_verified(root, corpus, tmp_path):
    bank = StatementBank(root / "corpus" / "statements", corpus, root / "corpus" / "sdg_map.yaml")
    chain = bank.chains["dp-chain-01"]
    assert chain.sdg_targets == ("11.5", "13.1") and chain.impact_goal == "11" and chain.link_citation is not None
    assert all(chain.target_rationales.values())
    text = (root / "corpus" / "sdg_map.yaml").read_text(encoding="utf-8")
    (tmp_path / "sdg_map.yaml").write_text(text.replace('quote: "災害時の死傷者の減少"', 'quote: "災害時の死者の減少"', 1), encoding="utf-8")
    with pytest.raises((CitationError, CorpusError)) as e:
        StatementBank(root / "corpus" / "statements", corpus, tmp_path / "sdg_map.yaml")
    assert "sdg_map.yaml:" in str(e.value)
