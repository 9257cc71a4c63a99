"""Hybrid index: BM25 over fugashi lemmas (bm25s) + dense vectors (faiss via llama-index), fused by RRF.

Layout of the persisted index (``<cache_dir>/index/``)::

    manifest.json   library versions, embedding model, dictionary, corpus and
                    glossary hashes, settings, chunk count
    chunks.jsonl    one Chunk per line, in index order
    bm25/           bm25s.BM25.save() output
    dense/          llama-index storage (faiss vector store + docstore)

The index is rebuilt when any manifest input changes, and a missing or
corrupt file is reported and rebuilt rather than trusted.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from pitchgen.adapters.embedding import EmbedderSettings, SentenceEmbedder
from pitchgen.adapters.japanese import JapaneseTokenizer
from pitchgen.corpus import Corpus
from pitchgen.errors import IndexStaleError, RetrievalError
from pitchgen.glossary import Glossary
from pitchgen.ingest.chunker import Chunker, ChunkerSettings
from pitchgen.records import Chunk, Hit, Lang
from pitchgen.retrieve.fusion import rrf

MANIFEST_FORMAT = 1
_LIBS = ("pitchgen", "bm25s", "faiss-cpu", "llama-index-core", "llama-index-vector-stores-faiss",
         "sentence-transformers", "transformers", "fugashi", "unidic-lite")

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called during a build."""


def _noop(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class IndexSettings:
    """Retrieval settings recorded in the index manifest.

    Attributes:
        embedder: embedding model settings.
        chunker: chunk size limits.
        dense: whether the dense index is built and used.
        rrf_k: RRF constant (Cormack et al., 2009, use 60). The default 10
            and the dense weight 0.1 suit the default English-only model: at
            k=60 its noisy ranks reorder BM25's top 10 (Japanese nDCG@10 0.655
            against BM25's 0.875 on evals/queries.jsonl). With a multilingual
            model use k=60 and dense_weight=1.0 (see README).
        bm25_weight / dense_weight: RRF weights.
        bm25_k1 / bm25_b: BM25 parameters (Robertson & Zaragoza, 2009),
            bm25s ``method="lucene"``.
        candidates: ranked list length taken from each retriever before fusion.
    """

    embedder: EmbedderSettings = field(default_factory=EmbedderSettings)
    chunker: ChunkerSettings = field(default_factory=ChunkerSettings)
    dense: bool = True
    rrf_k: int = 10
    bm25_weight: float = 1.0
    dense_weight: float = 0.1
    bm25_k1: float = 1.5
    bm25_b: float = 0.75
    candidates: int = 100

    def __post_init__(self) -> None:
        if self.rrf_k < 0 or self.bm25_weight < 0 or self.dense_weight < 0 or self.candidates < 1:
            raise ValueError("IndexSettings: rrf_k, weights must be >= 0 and candidates >= 1")

    def as_dict(self) -> dict:
        """Settings that shape the index, for the manifest."""
        d = asdict(self)
        d["embedder"].pop("batch_size", None)
        d["embedder"].pop("device", None)
        return d


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries that shape the index."""
    out = {}
    for lib in _LIBS:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "not installed"
    return out


def expected_manifest(corpus: Corpus, glossary: Glossary, settings: IndexSettings, tokenizer: JapaneseTokenizer) -> dict:
    """The manifest an up-to-date index must carry (without build-time fields)."""
    return {
        "format": MANIFEST_FORMAT,
        "libraries": library_versions(),
        "embedding_model": settings.embedder.model_id if settings.dense else None,
        "tokenizer_dictionary": tokenizer.dictionary,
        "corpus_hash": corpus.content_hash(),
        "glossary_hash": glossary.content_hash(),
        "settings": settings.as_dict(),
    }


_VOLATILE = ("created", "n_chunks", "embedding_dim")


def manifest_diff(found: dict, expected: dict) -> list[str]:
    """Keys whose values differ between a found and an expected manifest.

    >>> manifest_diff({"a": 1, "created": "x"}, {"a": 2})
    ['a']
    """
    keys = (set(found) | set(expected)) - set(_VOLATILE)
    return sorted(k for k in keys if found.get(k) != expected.get(k))


class HybridIndex:
    """A loaded hybrid index over the corpus chunks.

    Build or load it with :func:`open_index`; query with :meth:`search`.
    """

    def __init__(self, chunks: Sequence[Chunk], bm25, dense, embedder: SentenceEmbedder | None,
                 tokenizer: JapaneseTokenizer, glossary: Glossary, settings: IndexSettings, manifest: dict) -> None:
        self.chunks = tuple(chunks)
        self._by_id = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self._bm25 = bm25
        self._dense = dense
        self._embedder = embedder
        self.tokenizer = tokenizer
        self.glossary = glossary
        self.settings = settings
        self.manifest = manifest

    # -- querying ----------------------------------------------------------
    def query_text_ja(self, query: str, lang: Lang) -> str:
        """The Japanese text BM25 sees for ``query`` (glossary translation + the query)."""
        translated = self.glossary.to_japanese(query, lang)
        return f"{translated} {query}".strip() if lang != "ja" else query

    def bm25_ranking(self, query: str, lang: Lang, n: int) -> list[str]:
        """Chunk ids by BM25 score, best first (zero-score chunks dropped)."""
        # each lemma once: glossary variants would otherwise repeat a term (研修 ×5)
        tokens = list(dict.fromkeys(self.tokenizer.lemmas(self.query_text_ja(query, lang))))
        if not tokens:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens), dtype=np.float64)
        order = np.argsort(-scores, kind="stable")[:n]
        return [self.chunks[i].chunk_id for i in order if scores[i] > 0]

    def dense_ranking(self, query: str, lang: Lang, n: int) -> list[str]:
        """Chunk ids by cosine similarity (llama-index retriever over faiss), best first."""
        if self._dense is None:
            return []
        text = query if lang == "ja" else f"{query} {self.glossary.to_japanese(query, lang)}".strip()
        retriever = self._dense.as_retriever(similarity_top_k=n)
        return [nws.node.node_id for nws in retriever.retrieve(text)]

    def search(self, query: str, lang: Lang = "ja", top_k: int = 10) -> tuple[Hit, ...]:
        """Hybrid search.

        Args:
            query: free text in ``lang``.
            lang: query language; non-Japanese queries are translated to
                Japanese terms through the glossary for BM25.
            top_k: number of hits (>= 1).

        Returns:
            Hits with RRF scores, best first.

        Raises:
            ValueError: top_k < 1.
        """
        if top_k < 1:
            raise ValueError("top_k must be >= 1")
        n = max(self.settings.candidates, top_k)
        rankings = [self.bm25_ranking(query, lang, n)]
        weights = [self.settings.bm25_weight]
        if self._dense is not None and self.settings.dense_weight > 0:
            rankings.append(self.dense_ranking(query, lang, n))
            weights.append(self.settings.dense_weight)
        fused = rrf(rankings, k=self.settings.rrf_k, weights=weights)[:top_k]
        return tuple(Hit(chunk=self.chunks[self._by_id[cid]], score=round(s, 6), rank=i)
                     for i, (cid, s) in enumerate(fused, start=1))

    def chunk(self, chunk_id: str) -> Chunk:
        """Chunk by id; raises KeyError."""
        return self.chunks[self._by_id[chunk_id]]


# -- build / load -------------------------------------------------------------

def chunk_corpus(corpus: Corpus, glossary: Glossary, settings: ChunkerSettings, progress: Progress = _noop) -> tuple[Chunk, ...]:
    """Chunk every corpus document (country hints from the glossary)."""
    chunker = Chunker(settings, countries_ja=glossary.countries_ja)
    out: list[Chunk] = []
    docs = corpus.documents
    for i, doc in enumerate(docs, start=1):
        out.extend(chunker.chunk(doc))
        progress("chunk", i, len(docs))
    return tuple(out)


def _build_bm25(token_lists: list[list[str]], settings: IndexSettings):
    import bm25s

    bm25 = bm25s.BM25(k1=settings.bm25_k1, b=settings.bm25_b, method="lucene")
    bm25.index([t if t else [""] for t in token_lists], show_progress=False)
    return bm25


def _li_embedding(embedder: SentenceEmbedder):
    """Wrap a SentenceEmbedder as a llama-index embedding (no OpenAI default)."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class _PitchgenEmbedding(BaseEmbedding):
        _inner: SentenceEmbedder = PrivateAttr()

        def __init__(self, inner: SentenceEmbedder) -> None:
            super().__init__(model_name=inner.settings.model_id, embed_batch_size=inner.settings.batch_size)
            self._inner = inner

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._inner.encode([query], kind="query")[0].tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._inner.encode([text], kind="passage")[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._inner.encode(texts, kind="passage").tolist()

    return _PitchgenEmbedding(embedder)


def _build_dense(chunks: Sequence[Chunk], embedder: SentenceEmbedder, out_dir: Path, progress: Progress):
    import faiss
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.faiss import FaissVectorStore

    texts = [c.index_text for c in chunks]
    bs = embedder.settings.batch_size
    parts = []
    for i in range(0, len(texts), bs):
        parts.append(embedder.encode(texts[i : i + bs], kind="passage"))
        progress("embed", min(i + bs, len(texts)), len(texts))
    vecs = np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(vecs.shape[1]))
    storage = StorageContext.from_defaults(vector_store=store)
    nodes = [TextNode(id_=c.chunk_id, text=c.index_text, embedding=v.tolist()) for c, v in zip(chunks, vecs)]
    index = VectorStoreIndex(nodes, storage_context=storage, embed_model=_li_embedding(embedder), show_progress=False)
    index.storage_context.persist(persist_dir=str(out_dir))
    return index, int(vecs.shape[1])


def _load_dense(dense_dir: Path, embedder: SentenceEmbedder):
    from llama_index.core import StorageContext, load_index_from_storage
    from llama_index.vector_stores.faiss import FaissVectorStore

    store = FaissVectorStore.from_persist_dir(str(dense_dir))
    storage = StorageContext.from_defaults(vector_store=store, persist_dir=str(dense_dir))
    return load_index_from_storage(storage_context=storage, embed_model=_li_embedding(embedder))


def build_index(corpus: Corpus, glossary: Glossary, settings: IndexSettings, index_dir: Path,
                progress: Progress = _noop) -> HybridIndex:
    """Build the index from scratch and persist it atomically to ``index_dir``.

    The new index is written to a sibling temporary directory and swapped in
    only when complete, so an interrupted build never leaves a half index.
    """
    tokenizer = JapaneseTokenizer()
    chunks = chunk_corpus(corpus, glossary, settings.chunker, progress)
    if not chunks:
        raise RetrievalError("the corpus produced no chunks", fix="check corpus/policy/manifest.yaml lists the documents")
    token_lists = []
    for i, c in enumerate(chunks, start=1):
        token_lists.append(tokenizer.lemmas(c.index_text))
        if i % 50 == 0 or i == len(chunks):
            progress("tokenize", i, len(chunks))
    bm25 = _build_bm25(token_lists, settings)
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".index-", dir=index_dir.parent))
    try:
        bm25.save(str(tmp / "bm25"))
        embedder = dense = None
        dim = None
        if settings.dense:
            embedder = SentenceEmbedder(settings.embedder)
            embedder.warm_up()
            dense, dim = _build_dense(chunks, embedder, tmp / "dense", progress)
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
            for c in chunks:
                f.write(c.model_dump_json() + "\n")
        manifest = expected_manifest(corpus, glossary, settings, tokenizer)
        manifest.update(created=datetime.now(timezone.utc).isoformat(timespec="seconds"), n_chunks=len(chunks), embedding_dim=dim)
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        if index_dir.exists():
            shutil.rmtree(index_dir)
        tmp.rename(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if dense is not None:
        dense = _load_dense(index_dir / "dense", embedder)
    return HybridIndex(chunks, bm25, dense, embedder, tokenizer, glossary, settings, manifest)


def load_index(corpus: Corpus, glossary: Glossary, settings: IndexSettings, index_dir: Path) -> HybridIndex:
    """Load a persisted index, checking its manifest first.

    Raises:
        IndexStaleError: missing, corrupt, or built from other inputs; the
            message names what differs.
    """
    index_dir = Path(index_dir)
    mpath = index_dir / "manifest.json"
    if not mpath.is_file():
        raise IndexStaleError("no index found", path=index_dir, fix="run `pitchgen index`")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexStaleError(f"index manifest is corrupt ({exc})", path=mpath, fix="run `pitchgen index --rebuild`") from exc
    tokenizer = JapaneseTokenizer()
    diff = manifest_diff(manifest, expected_manifest(corpus, glossary, settings, tokenizer))
    if diff:
        raise IndexStaleError(f"index is stale: {', '.join(diff)} changed", path=mpath, fix="run `pitchgen index` to rebuild")
    try:
        import bm25s

        chunks = tuple(Chunk.model_validate_json(line) for line in (index_dir / "chunks.jsonl").read_text(encoding="utf-8").splitlines())
        if len(chunks) != manifest.get("n_chunks"):
            raise ValueError(f"{len(chunks)} chunks on disk, manifest says {manifest.get('n_chunks')}")
        bm25 = bm25s.BM25.load(str(index_dir / "bm25"))
        embedder = dense = None
        if settings.dense:
            embedder = SentenceEmbedder(settings.embedder)
            dense = _load_dense(index_dir / "dense", embedder)
    except IndexStaleError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to read means corrupt
        raise IndexStaleError(f"index files are corrupt ({type(exc).__name__}: {exc})", path=index_dir,
                              fix="run `pitchgen index --rebuild`") from exc
    return HybridIndex(chunks, bm25, dense, embedder, tokenizer, glossary, settings, manifest)


def open_index(corpus: Corpus, glossary: Glossary, settings: IndexSettings, index_dir: Path,
               progress: Progress = _noop, notify: Callable[[str], None] = lambda m: None,
               rebuild: bool = False) -> HybridIndex:
    """Load the index, or (re)build it when missing, stale or corrupt.

    ``notify`` receives one message saying why a rebuild happened.
    """
    if not rebuild:
        try:
            return load_index(corpus, glossary, settings, index_dir)
        except IndexStaleError as exc:
            if (Path(index_dir) / "manifest.json").exists():
                notify(f"rebuilding the index: {exc.message}")
            else:
                notify("building the index (none found)")
    return build_index(corpus, glossary, settings, index_dir, progress)
