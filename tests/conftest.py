"""Shared fixtures: no network, the project root, a tiny locally built embedding model, a built index."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Every test runs with outbound sockets blocked (Unix sockets stay allowed)."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise OSError(f"network access blocked in tests: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: (_ for _ in ()).throw(OSError("network blocked")))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def root() -> Path:
    """The project folder (corpus/, templates/)."""
    return ROOT


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A random-weight BERT sentence-transformers model with a WordPiece tokenizer trained here on the corpus."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    base = tmp_path_factory.mktemp("tiny-bert")
    lines = []
    for f in sorted((ROOT / "corpus" / "policy").glob("*.txt")):
        lines.extend(f.read_text(encoding="utf-8").split("\n")[:300])
    lines += ["emergency warning broadcasting Peru", "Chính phủ điện tử Việt Nam", "alerta temprana"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(lines, trainers.WordPieceTrainer(vocab_size=3000, special_tokens=specials))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")
    hf_dir = base / "hf"
    fast.save_pretrained(hf_dir)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=fast.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=256)
    BertModel(cfg).save_pretrained(hf_dir)
    word = Transformer(str(hf_dir), max_seq_length=128)
    pool = Pooling(word.get_embedding_dimension(), pooling_mode="mean")
    st_dir = base / "st"
    SentenceTransformer(modules=[word, pool], device="cpu").save(str(st_dir))
    return st_dir


@pytest.fixture(scope="session")
def tiny_config(tmp_path_factory, tiny_model_dir):
    """A Config using the tiny model and a private cache folder."""
    from pitchgen.adapters.embedding import EmbedderSettings
    from pitchgen.app import Config
    from pitchgen.retrieve.index import IndexSettings

    cache = tmp_path_factory.mktemp("cache")
    return Config(root=ROOT, cache_dir=cache, index=IndexSettings(embedder=EmbedderSettings(model_id=str(tiny_model_dir))))


@pytest.fixture(scope="session")
def resources(tiny_config):
    """Loaded reference data for the tiny config."""
    from pitchgen.app import Resources

    return Resources(tiny_config)


@pytest.fixture(scope="session")
def tiny_index(resources):
    """The hybrid index built once per session with the tiny model."""
    return resources.index()


@pytest.fixture
def loopback_only(_no_network, monkeypatch, request):
    """Sockets may reach 127.0.0.1 only (no proxies); the test module's ``KEY`` is set in its ``KEY_ENV`` variable."""
    from fake_openai import allow_loopback

    allow_loopback(monkeypatch, request.module.KEY_ENV, request.module.KEY)


@pytest.fixture
def fake_openai(loopback_only):
    """A scripted OpenAI-compatible server on 127.0.0.1:<free port> (tests/fake_openai.py); yields (state, base_url)."""
    from fake_openai import serve

    with serve() as running:
        yield running
