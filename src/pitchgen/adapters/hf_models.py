"""Offline loading of Hugging Face transformers models: the one place that resolves a model id and loads it.

Shared by the local LLM backend (:class:`pitchgen.llm.backends.TransformersBackend`, a causal LM)
and the NLI judge of the model tier (:class:`pitchgen.verify.model_tier.NliJudge`, a sequence
classifier). A model is a local folder (with ``config.json``) or a hub id resolved from the local
Hugging Face cache only: nothing is ever downloaded. transformers is imported inside
:func:`load_offline`, never at import time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pitchgen.errors import ModelLoadError, UsageError

ModelClass = Literal["causal_lm", "sequence_classification"]

_DEVICE = re.compile(r"^(cpu|mps|cuda(:\d+)?)$")


def check_device(device: object) -> str:
    """A torch device string: ``cpu``, ``cuda``, ``cuda:N`` or ``mps`` (checked before any model is loaded).

    Raises:
        UsageError: anything else.

    >>> check_device("cuda:1")
    'cuda:1'
    """
    if not isinstance(device, str) or not _DEVICE.match(device):
        raise UsageError(f"unknown device {device!r}. Valid values: cpu, cuda, cuda:N, mps")
    return device


def resolve_model(model: str, what: str, flag: str, fix: str) -> str:
    """The source to load ``model`` from: a local model folder, or a hub id for the local cache.

    Args:
        model: a folder path (``~`` expanded) or a hub id such as ``org/name``.
        what: how messages name the model ("LLM", "NLI model").
        flag: the CLI flag that sets it ("--llm-model").
        fix: what to do when a path does not exist.

    Raises:
        ModelLoadError: a folder without ``config.json``, or a path-like value that does not exist.

    >>> resolve_model("org/name", "LLM", "--llm-model", "download it")
    'org/name'
    """
    p = Path(model).expanduser()
    if p.is_dir():
        if not (p / "config.json").is_file():
            raise ModelLoadError(f"{p} is not a transformers model directory (no config.json)",
                                 fix=f"pass {flag} pointing at the folder that holds config.json, the tokenizer and the weights")
        return str(p)
    if p.exists() or model.startswith(("/", ".", "~", "\\")) or model.count("/") > 1:
        raise ModelLoadError(f"{what} directory {model!r} does not exist", fix=fix)
    return model  # a hub id, resolved from the local cache only


def load_offline(source: str, kind: ModelClass, device: str, what: str, fix: str) -> tuple[Any, Any]:
    """Tokenizer and model from ``source`` (see :func:`resolve_model`), offline, moved to ``device``, in eval mode.

    Args:
        source: a folder or a cached hub id.
        kind: ``causal_lm`` (AutoModelForCausalLM) or ``sequence_classification``.
        device: torch device string (``cpu``, ``cuda``, ``cuda:N``, ``mps``).
        what: how messages name the model.
        fix: what to do when it cannot be loaded.

    Raises:
        ModelLoadError: not available offline, a load failure, or a device the model cannot be moved to.
    """
    try:
        from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        auto = AutoModelForCausalLM if kind == "causal_lm" else AutoModelForSequenceClassification
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
        model = auto.from_pretrained(source, local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - any hub/loader error means "not available offline"
        raise ModelLoadError(f"{what} {source!r} cannot be loaded offline: {exc}", fix=fix) from exc
    try:
        model.to(device)
    except Exception as exc:  # noqa: BLE001 - any device error means "cannot use this device"
        raise ModelLoadError(f"cannot move the {what} to device {device!r}: {exc}", fix="pass device='cpu'") from exc
    model.eval()
    return tokenizer, model
