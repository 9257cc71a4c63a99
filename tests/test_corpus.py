"""Corpus manifest, line counting and citation resolution."""

import subprocess

import pytest

from pitchgen.corpus import Corpus, split_lines
from pitchgen.errors import CitationError, CorpusError
from pitchgen.records import Citation


@pytest.fixture(scope="module")
def corpus(root):
    return Corpus(root / "corpus" / "policy" / "manifest.yaml")


def test_missing_manifest_names_the_file(tmp_path):
    with pytest.raises(CorpusError) as e:
        Corpus(tmp_path / "manifest.yaml")
    assert "manifest.yaml" in str(e.value) and "Fix:" in str(e.value)


def test_manifest_entry_without_file_is_refused(tmp_path):
    (tmp_path / "manifest.yaml").write_text("documents:\n  - doc_id: x\n    source_file: nope.txt\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="nope.txt"):
        Corpus(tmp_path / "manifest.yaml")


def test_five_seed_documents_copied_unchanged(corpus, root):
    docs = corpus.documents
    assert len(docs) == 5
    for d in docs:
        seed = root.parent / "shared" / "seeds" / d.meta.source_file
        if seed.exists():  # ../shared is beside the checkout in CI and here
            assert seed.read_bytes() == d.path.read_bytes()
        for field in ("doc_id", "title_ja", "title_en", "publisher", "date", "licence"):
            assert getattr(d.meta, field)


def test_line_numbers_match_sed(corpus):
    doc = corpus.get("mic-action-plan-2020")
    for a, b in [(1, 3), (684, 686), (1289, 1290)]:
        sed = subprocess.run(["sed", "-n", f"{a},{b}p", str(doc.path)], capture_output=True, text=True, check=True).stdout
        assert doc.span(a, b) == sed.rstrip("\n")
    assert len(doc.lines) == 1290  # the file does not end with a newline: wc -l says 1289


def test_split_lines_ignores_unicode_line_separators():
    assert split_lines("a\u2028b\nc\n") == ["a\u2028b", "c"]
    assert split_lines("") == []


def test_resolve_accepts_exact_quote_and_rejects_others(corpus):
    good = corpus.cite("mic-action-plan-2020", 686, 686, "チリとペルーでは")
    assert corpus.resolve(good).startswith("このほか")
    bad = Citation(doc_id="mic-action-plan-2020", source_file=good.source_file, line_start=686, line_end=686, quote="チリとブラジルでは")
    with pytest.raises(CitationError, match="not in"):
        corpus.resolve(bad)
    with pytest.raises(CitationError, match="outside"):
        corpus.cite("mic-action-plan-2020", 1290, 1291, "x")
    with pytest.raises(CitationError, match="unknown document"):
        corpus.get("no-such-doc")


def test_lookup_by_file_name(corpus):
    assert corpus.get("004_491f3151e96d6752.txt").meta.doc_id == "digital-overseas-strategy-2030"


def test_content_hash_changes_with_bytes(tmp_path, corpus):
    import shutil

    for d in corpus.documents:
        shutil.copy(d.path, tmp_path / d.meta.source_file)
    shutil.copy(corpus.manifest_path, tmp_path / "manifest.yaml")
    h1 = Corpus(tmp_path / "manifest.yaml").content_hash()
    assert h1 == corpus.content_hash()
    with open(tmp_path / "004_491f3151e96d6752.txt", "a", encoding="utf-8") as f:
        f.write("\n追記")
    assert Corpus(tmp_path / "manifest.yaml").content_hash() != h1
