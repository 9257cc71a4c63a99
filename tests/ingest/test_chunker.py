"""Chunker: Japanese structure, karte rows with headers, original spans, slide-noise normalisation."""

import pytest

from pitchgen.corpus import Corpus
from pitchgen.glossary import Glossary
from pitchgen.ingest.chunker import Chunker, ChunkerSettings, split_sentences
from pitchgen.ingest.normalize import join_fragment_lines, normalize_text


@pytest.fixture(scope="module")
def corpus(root):
    return Corpus(root / "corpus" / "policy" / "manifest.yaml")


@pytest.fixture(scope="module")
def chunker(root):
    return Chunker(countries_ja=Glossary(root / "corpus" / "glossary").countries_ja)


def test_settings_are_checked():
    with pytest.raises(ValueError):
        Chunker(ChunkerSettings(max_chars=10, min_chars=20))


def test_every_chunk_text_is_inside_its_original_span(corpus, chunker):
    ids = set()
    for doc in corpus.documents:
        chunks = chunker.chunk(doc)
        assert chunks, doc.meta.doc_id
        for c in chunks:
            assert c.text in doc.span(c.line_start, c.line_end), c.chunk_id
            assert c.doc_id == doc.meta.doc_id and c.source_file == doc.meta.source_file
            assert c.chunk_id not in ids
            ids.add(c.chunk_id)


def test_prose_chunks_are_bounded_and_cut_at_sentence_ends(corpus, chunker):
    doc = corpus.get("mic-action-plan-2020")
    text = [c for c in chunker.chunk(doc) if c.kind == "text"]
    # one-paragraph lines over the limit are cut into several chunks, each ending a sentence
    n = next(i for i, line in enumerate(doc.lines, 1) if len(line) > 450 and "\t" not in line)
    long_line = [c for c in text if c.line_start == n]
    assert len(long_line) >= 2
    assert all(c.text.endswith("。") for c in long_line[:-1])
    assert max(len(normalize_text(c.text)) for c in text) <= 1000


def test_every_karte_row_is_a_chunk_with_headers_and_country(corpus, chunker):
    doc = corpus.get("mic-action-plan-2020")
    rows = [c for c in chunker.chunk(doc) if c.kind == "karte_row"]
    assert len(rows) == 49
    peru_dp = next(c for c in rows if c.line_start == 861)
    assert peru_dp.country_hint == "PE"
    assert "調査・実証フェーズ" in peru_dp.index_text and "海底ケーブル" in peru_dp.index_text
    vn = [c for c in rows if 804 <= c.line_start <= 812]
    assert vn and all(c.country_hint == "VN" for c in vn)
    assert "別表" in vn[0].heading


def test_slide_deck_noise_is_normalised_for_indexing_only(corpus, chunker):
    doc = corpus.get("mic-digital-overseas-slides-2022")
    chunk = next(c for c in chunker.chunk(doc) if c.line_start <= 332 <= c.line_end)
    assert "デジタル" in chunk.index_text  # デ/ジ/タ/ル on four lines in the original
    assert "デ\nジ\nタ\nル" in chunk.text


def test_split_sentences_keeps_brackets_together():
    parts = split_sentences("覚書に署名。「ODA。」を実施。残り")
    assert parts == ["覚書に署名。", "「ODA。」を実施。", "残り"]
    assert "".join(parts) == "覚書に署名。「ODA。」を実施。残り"


def test_normalisers():
    assert normalize_text("２０２０年　１月") == "2020年1月"
    assert join_fragment_lines(["一", "文", "字"]) == "一文字"


def test_golden_fugashi_lemmas_pinned_to_unidic_lite():
    from pitchgen.adapters.japanese import JapaneseTokenizer

    tok = JapaneseTokenizer()
    assert tok.dictionary == "unidic-lite 1.0.8"
    assert tok.lemmas("覚書に署名した") == ["覚え書き", "署名", "為る"]
    assert tok.lemmas("緊急警報放送システム（EWBS）") == ["緊急", "警報", "放送", "システム", "ewbs"]
