"""A tiny random-weight causal language model built on the spot, for offline tests and demos.

No weights are downloaded: a byte-level BPE tokenizer (``tokenizers``) is trained on
the given texts and a 1-layer GPT-2 (32-dim, 2 heads; ``transformers``) gets random
weights. It exercises the real loading and generation path of
:class:`pitchgen.llm.backends.TransformersBackend`; its output is noise, so callers
see the backend's retry and fallback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def build_tiny_gpt2(directory: str | Path, texts: Sequence[str], vocab_size: int = 1500, seed: int = 0) -> Path:
    """Save a random 1-layer GPT-2 and a BPE tokenizer trained on ``texts`` into ``directory``.

    Args:
        directory: target folder (created by ``save_pretrained`` if missing).
        texts: lines the tokenizer is trained on (e.g. a rendered prompt and an answer).
        vocab_size: BPE vocabulary size (the model's embedding rows).
        seed: torch seed for the random weights.

    Returns:
        The folder, loadable with ``AutoModelForCausalLM`` / ``AutoTokenizer`` offline
        (no chat template: the backend falls back to plain text prompts).
    """
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    directory = Path(directory)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(list(texts), trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"],
                                                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", bos_token="<|endoftext|>",
                                   pad_token="<|endoftext|>")
    torch.manual_seed(seed)
    eos = fast.convert_tokens_to_ids("<|endoftext|>")
    cfg = GPT2Config(vocab_size=len(fast), n_positions=4096, n_embd=32, n_layer=1, n_head=2, bos_token_id=eos, eos_token_id=eos)
    fast.save_pretrained(directory)
    GPT2LMHeadModel(cfg).save_pretrained(directory)
    return directory
