"""Hybrid index with the tiny locally built model: build, search, persistence, staleness, model errors."""

import json
import shutil
from dataclasses import replace

import pytest

from pitchgen.adapters.embedding import EmbedderSettings, SentenceEmbedder, default_prefixes, resolve_model_path
from pitchgen.errors import IndexStaleError, ModelLoadError
from pitchgen.retrieve.index import IndexSettings, load_index, open_index


def test_settings_defaults_and_bad_values():
    s = IndexSettings()
    assert s.rrf_k == 10 and s.dense_weight == 0.1 and s.dense and s.embedder.model_id == "packaged:all-minilm-l6-v2"
    with pytest.raises(ValueError):
        IndexSettings(candidates=0)
    with pytest.raises(ValueError):
        SentenceEmbedder(EmbedderSettings(batch_size=0))


def test_model_prefixes_by_family():
    assert default_prefixes("intfloat/multilingual-e5-large") == ("query: ", "passage: ")
    assert EmbedderSettings(model_id="BAAI/bge-m3").prefixes() == ("", "")


def test_unavailable_model_says_how_to_point_at_a_local_one(tmp_path):
    with pytest.raises(ModelLoadError) as e:
        resolve_model_path("intfloat/multilingual-e5-base")
    msg = str(e.value)
    assert "offline" in msg and "--embedding-model" in msg and "huggingface-cli download" in msg
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="config.json"):
        resolve_model_path(str(tmp_path / "empty"))


def test_manifest_describes_the_index(tiny_index, tiny_config):
    m = json.loads((tiny_config.index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert m["embedding_model"] == tiny_config.index.embedder.model_id
    assert m["tokenizer_dictionary"].startswith("unidic-lite")
    assert m["n_chunks"] == len(tiny_index.chunks) > 900
    assert {"bm25s", "faiss-cpu", "llama-index-core", "sentence-transformers"} <= set(m["libraries"])
    assert len(m["corpus_hash"]) == 64


def test_japanese_search_finds_the_peru_disaster_karte_row(tiny_index):
    hits = tiny_index.search("ペルー 海底ケーブル 地震 津波 観測", "ja", 10)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert any(h.chunk.line_start == 861 and h.chunk.doc_id == "mic-action-plan-2020" for h in hits)
    assert all(hits[i].score >= hits[i + 1].score for i in range(len(hits) - 1))


def test_spanish_and_vietnamese_queries_reach_japanese_evidence(tiny_index):
    es = tiny_index.search("cable submarino sismos tsunamis Perú", "es", 10)
    vi = tiny_index.search("Chính phủ điện tử Việt Nam đào tạo", "vi", 10)
    assert any("海底ケーブル" in h.chunk.text for h in es)
    assert any("電子政府" in h.chunk.text or "デジタルガバ" in h.chunk.text for h in vi)


def test_reload_from_disk_gives_the_same_hits(tiny_index, resources, tiny_config):
    again = load_index(resources.corpus, resources.glossary, tiny_config.index, tiny_config.index_dir)
    q = "緊急警報放送 EWBS"
    assert [h.chunk.chunk_id for h in again.search(q, "ja", 5)] == [h.chunk.chunk_id for h in tiny_index.search(q, "ja", 5)]


def test_changed_settings_make_the_index_stale(resources, tiny_config):
    other = replace(tiny_config.index, rrf_k=60)
    with pytest.raises(IndexStaleError, match="settings"):
        load_index(resources.corpus, resources.glossary, other, tiny_config.index_dir)


def test_corrupt_index_is_detected_and_rebuilt(resources, tiny_config, tmp_path):
    idx_dir = tmp_path / "index"
    shutil.copytree(tiny_config.index_dir, idx_dir)
    (idx_dir / "chunks.jsonl").write_text("not json\n", encoding="utf-8")
    with pytest.raises(IndexStaleError, match="corrupt"):
        load_index(resources.corpus, resources.glossary, tiny_config.index, idx_dir)
    messages = []
    rebuilt = open_index(resources.corpus, resources.glossary, tiny_config.index, idx_dir, notify=messages.append)
    assert messages and "rebuilding" in messages[0]
    assert len(rebuilt.chunks) > 900
    (idx_dir / "manifest.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(IndexStaleError, match="manifest is corrupt"):
        load_index(resources.corpus, resources.glossary, tiny_config.index, idx_dir)


def test_packaged_minilm_loads_offline_and_embeds():
    emb = SentenceEmbedder()
    vecs = emb.encode(["emergency warning broadcasting", "緊急警報放送"], kind="query")
    assert vecs.shape == (2, 384) and vecs.dtype.name == "float32"
    assert abs(float((vecs[0] ** 2).sum()) - 1.0) < 1e-4
