"""LLM backends behind one typed call: ``generate(prompt, output_type) -> validated object``.

Three backends implement :class:`Backend`:

* :class:`TemplateBackend` (the default, ``kind="template"``): no model at
  all. It exists so that configuration can name it; its :meth:`generate`
  always raises :class:`GenerationError`. When the configured backend is
  ``template`` the planner never asks for free text and writes its own
  template sentences (curated statements and dated karte entries), and
  :func:`pitchgen.llm.prompting.draft_with_retry` returns an immediate,
  reported fallback without calling it.
* :class:`TransformersBackend`: a local causal LM loaded with transformers,
  offline only (``local_files_only=True``); greedy decoding by default.
* :class:`OpenAIBackend`: any OpenAI-compatible ``/chat/completions``
  endpoint (llama.cpp, vLLM, Ollama, a hosted API), standard library only.
  The API key is read from a named environment variable at call time; it is
  never stored on the object, shown by ``repr``, logged or put in an error.

There is no default remote model: a remote endpoint is used only when the
configuration names one. Every backend validates the reply with
``output_type.model_validate_json`` (see :func:`parse_output`); a reply that
is not one JSON object of that shape raises :class:`GenerationError` with the
raw text, truncated.

torch and transformers are imported lazily, inside
:meth:`TransformersBackend.warm_up`.
"""

from __future__ import annotations

import math
import urllib.parse
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel

from pitchgen.adapters.chat_http import ChatClient, check_env_name, check_timeout, scrub
from pitchgen.adapters.hf_models import check_device, load_offline, resolve_model
from pitchgen.errors import GenerationError, UnknownValueError, UsageError
from pitchgen.llm.prompting import Prompt, parse_output

T = TypeVar("T", bound=BaseModel)

BackendKind = Literal["template", "transformers", "openai"]
"""Closed set of backend kinds."""

KINDS: tuple[str, ...] = ("template", "transformers", "openai")

_LLM_FIX = (
    "download the model once on a connected machine (e.g. huggingface-cli download "
    "Qwen/Qwen2.5-1.5B-Instruct --local-dir DIR), copy DIR here and pass --llm-model DIR"
)


@runtime_checkable
class Backend(Protocol):
    """A text generator that returns typed, validated output.

    Attributes:
        name: ``"template"``, ``"transformers:<model>"`` or ``"openai:<model>"``;
            recorded in draft reports.
    """

    name: str

    def generate(self, prompt: Prompt, output_type: type[T]) -> T:
        """Answer ``prompt`` with one object of ``output_type``.

        Returns:
            an instance of ``output_type`` validated from the model's JSON.

        Raises:
            GenerationError: the backend produced nothing usable (not JSON,
                wrong shape, timeout...). Configuration errors (model not
                available offline, API key variable unset) raise
                :class:`ModelLoadError` or :class:`UsageError` instead.
        """
        ...


# -- template (no model) -------------------------------------------------------


class TemplateBackend:
    """The default backend: no model, no free text.

    It exists so that configuration can name it (``kind="template"``). The
    planner writes its own template sentences when the backend is
    ``template``, and :func:`pitchgen.llm.prompting.draft_with_retry` falls
    back at once (reported) without calling :meth:`generate`.
    """

    name = "template"

    def __repr__(self) -> str:
        return "TemplateBackend()"

    def to_dict(self) -> dict[str, Any]:
        """Settings as a JSON-serialisable dict."""
        return {"kind": "template"}

    def warm_up(self) -> None:
        """Nothing to load."""

    def generate(self, prompt: Prompt, output_type: type[T]) -> T:
        """Always raises: the template backend writes no free text.

        Raises:
            GenerationError: always.
        """
        raise GenerationError("template backend writes no free text; use the template sentences",
                              fix="configure a transformers or openai backend to draft claims with a model")


# -- local transformers model --------------------------------------------------


def render_for_model(prompt: Prompt, tokenizer: Any) -> str:
    """The text a local model continues: the chat template when the tokenizer has one, else plain text.

    Args:
        prompt: the rendered prompt.
        tokenizer: a transformers tokenizer.

    Returns:
        ``tokenizer.apply_chat_template(prompt.messages(), add_generation_prompt=True)``
        as text, or :meth:`Prompt.as_text` when ``tokenizer.chat_template`` is empty.
    """
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(prompt.messages(), add_generation_prompt=True, tokenize=False)
        if isinstance(text, str):
            return text
    return prompt.as_text()


class TransformersBackend:
    """A local causal language model (transformers), offline only.

    Cheap to construct; :meth:`warm_up` loads ``AutoTokenizer`` and
    ``AutoModelForCausalLM`` with ``local_files_only=True`` (never the
    network). :meth:`generate` loads on first use if needed.

    Args:
        model: a local model directory (holding ``config.json``) or a hub id
            already in the local Hugging Face cache.
        device: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
        max_new_tokens: most tokens generated per call, 1..8192.
        temperature: 0 (default) means greedy decoding, deterministic; a value
            in (0, 2] samples with that temperature (not reproducible).

    Raises:
        UsageError: a bad argument value (at construction).
    """

    def __init__(self, model: str, device: str = "cpu", max_new_tokens: int = 256, temperature: float = 0.0) -> None:
        if not isinstance(model, str) or not model.strip():
            raise UsageError("the LLM model path is empty", fix="pass --llm-model DIR (a local model directory)")
        check_device(device)
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or not 1 <= max_new_tokens <= 8192:
            raise UsageError(f"max_new_tokens must be an integer in 1..8192, got {max_new_tokens!r}")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) \
                or not math.isfinite(temperature) or not 0.0 <= temperature <= 2.0:
            raise UsageError(f"temperature must be a number in [0, 2] (0 = greedy), got {temperature!r}")
        self.model = model
        self.device = device
        self.max_new_tokens = max_new_tokens
        self.temperature = float(temperature)
        self.name = f"transformers:{model}"
        self._tokenizer: Any = None
        self._model: Any = None
        self._context = 0

    def __repr__(self) -> str:
        return (f"TransformersBackend(model={self.model!r}, device={self.device!r}, "
                f"max_new_tokens={self.max_new_tokens}, temperature={self.temperature})")

    def to_dict(self) -> dict[str, Any]:
        """Settings as a JSON-serialisable dict (for manifests and reports)."""
        return {"kind": "transformers", "model": self.model, "device": self.device,
                "max_new_tokens": self.max_new_tokens, "temperature": self.temperature}

    def _source(self) -> str:
        return resolve_model(self.model, "LLM model", "--llm-model", _LLM_FIX)

    def warm_up(self) -> None:
        """Load tokenizer and model offline (idempotent).

        Raises:
            ModelLoadError: not a local directory nor in the local Hugging Face
                cache (fix: download once, pass ``--llm-model DIR``), a load
                failure, or a device the model cannot be moved to.
        """
        if self._model is not None:
            return
        tokenizer, model = load_offline(self._source(), "causal_lm", self.device, "LLM", _LLM_FIX)
        ctx = getattr(model.config, "max_position_embeddings", None)
        self._context = ctx if isinstance(ctx, int) and ctx > 0 else 0
        self._tokenizer, self._model = tokenizer, model

    def complete(self, prompt: Prompt) -> str:
        """The raw continuation of ``prompt`` (new tokens only, special tokens skipped).

        Raises:
            ModelLoadError: see :meth:`warm_up`.
            GenerationError: the prompt does not fit the model's context
                (prompt tokens + ``max_new_tokens`` > ``max_position_embeddings``),
                or generation failed.
        """
        self.warm_up()
        import torch

        tok, model = self._tokenizer, self._model
        text = render_for_model(prompt, tok)
        enc = tok(text, return_tensors="pt", add_special_tokens=not getattr(tok, "chat_template", None))
        n_prompt = int(enc["input_ids"].shape[1])
        if self._context and n_prompt + self.max_new_tokens > self._context:
            raise GenerationError(
                f"the prompt has {n_prompt} tokens; with max_new_tokens={self.max_new_tokens} it exceeds "
                f"the context of {self.name} ({self._context} tokens)",
                fix="use a model with a longer context, fewer evidence passages or a smaller max_new_tokens")
        try:
            from transformers import GenerationConfig

            eos = getattr(model.generation_config, "eos_token_id", None)
            eos = eos if eos is not None else tok.eos_token_id
            pad = tok.pad_token_id if tok.pad_token_id is not None else (eos[0] if isinstance(eos, list) else eos)
            # a fresh config: the model's own sampling defaults (generation_config.json) do not apply
            gen = GenerationConfig(max_new_tokens=self.max_new_tokens, eos_token_id=eos, pad_token_id=pad,
                                   do_sample=self.temperature > 0,
                                   **({"temperature": self.temperature} if self.temperature > 0 else {}))
            enc = {k: v.to(self.device) for k, v in enc.items()}
            with torch.no_grad():
                out = model.generate(**enc, generation_config=gen)
        except Exception as exc:  # noqa: BLE001 - any generation failure is reported, never ignored
            raise GenerationError(f"{self.name} failed to generate: {exc}") from exc
        return tok.decode(out[0, n_prompt:], skip_special_tokens=True)

    def generate(self, prompt: Prompt, output_type: type[T]) -> T:
        """Generate (greedy unless ``temperature > 0``) and validate the first JSON object as ``output_type``.

        Raises:
            ModelLoadError: the model is not available offline (see :meth:`warm_up`).
            GenerationError: prompt too long, generation failed, or the output is
                not a JSON object of ``output_type`` (raw text in the message).
        """
        return parse_output(self.complete(prompt), output_type, source=self.name)


# -- OpenAI-compatible endpoint ------------------------------------------------


class OpenAIBackend(ChatClient):
    """Any OpenAI-compatible chat-completions endpoint, via ``urllib`` (standard library only).

    POSTs ``{base_url}/chat/completions`` with :meth:`Prompt.messages`,
    ``temperature: 0`` and ``response_format: {"type": "json_object"}``.
    Proxies from the environment are honoured as urllib does. Arguments and key
    handling are those of :class:`pitchgen.adapters.chat_http.ChatClient`: the key is
    read from the variable named by ``api_key_env`` at each call, never stored,
    shown, logged or put in a message.

    ``max_retries`` covers a timeout, a connection failure, HTTP 5xx or a reply
    that is not a chat completion. A reply whose content is not valid JSON of the
    schema is NOT retried here (it raises at once;
    :func:`~pitchgen.llm.prompting.draft_with_retry` retries with feedback).

    Raises:
        UsageError: a bad argument value (at construction).
    """

    error = GenerationError
    key_error = UsageError
    what = "LLM"
    kind_key = "kind"

    def generate(self, prompt: Prompt, output_type: type[T]) -> T:
        """Ask the endpoint and validate its JSON reply as ``output_type``.

        Raises:
            UsageError: the API key variable is named but unset.
            GenerationError: HTTP 4xx, still failing after the retries, or
                content that is not JSON of ``output_type``. Messages name the
                endpoint, never the key.
        """
        def parse(content: str, key: str | None) -> T:
            try:
                return parse_output(content, output_type, source=f"LLM endpoint {self.endpoint}")
            except GenerationError as exc:
                raise GenerationError(scrub(exc.message, key), fix=exc.fix) from None

        return self.complete(prompt.messages(), parse)


# -- configuration -------------------------------------------------------------


_KIND_PARAMS: dict[str, frozenset[str]] = {
    "template": frozenset(),
    "transformers": frozenset({"model", "device", "max_new_tokens", "temperature"}),
    "openai": frozenset({"base_url", "model", "api_key_env", "timeout_s", "max_retries", "backoff_s"}),
}
_GENERIC_DEFAULTS: dict[str, Any] = {"device": "cpu", "timeout_s": 60.0}


def make_backend(kind: BackendKind, **settings: Any) -> Backend:
    """Build a backend from its kind and settings (cheap: nothing is loaded or contacted).

    Settings whose value is ``None`` are ignored, as are :class:`BackendSettings`
    fields left at their default that do not apply to ``kind`` (``device`` for
    openai, ``timeout_s`` for transformers...).

    Args:
        kind: ``"template"``, ``"transformers"`` or ``"openai"``.
        settings: constructor arguments of :class:`TransformersBackend`
            (model, device, max_new_tokens, temperature) or
            :class:`OpenAIBackend` (base_url, model, api_key_env, timeout_s,
            max_retries, backoff_s).

    Raises:
        UnknownValueError: unknown ``kind``.
        UsageError: a setting that does not apply to ``kind``, a missing
            required one (model, base_url) or a bad value.

    >>> make_backend("template").name
    'template'
    >>> make_backend("openai", base_url="http://127.0.0.1:8080/v1", model="qwen2.5").name
    'openai:qwen2.5'
    """
    if kind not in KINDS:
        raise UnknownValueError("llm backend", str(kind), KINDS)
    allowed = _KIND_PARAMS[kind]
    args: dict[str, Any] = {}
    for k, v in settings.items():
        if v is None:
            continue
        if k in allowed:
            args[k] = v
        elif k in _GENERIC_DEFAULTS and v == _GENERIC_DEFAULTS[k]:
            continue
        else:
            valid = ", ".join(sorted(allowed)) or "none"
            raise UsageError(f"setting {k!r} does not apply to the {kind} backend. Valid settings: {valid}")
    if kind == "template":
        return TemplateBackend()
    if kind == "transformers":
        if "model" not in args:
            raise UsageError("the transformers backend needs a model", fix="pass --llm-model DIR")
        return TransformersBackend(**args)
    missing = [k for k in ("base_url", "model") if k not in args]
    if missing:
        raise UsageError(f"the openai backend needs {' and '.join(missing)}",
                         fix="pass the endpoint's base_url (e.g. http://127.0.0.1:8080/v1) and model name")
    return OpenAIBackend(**args)


def _mask_url(url: str) -> str:
    """Hide query-string values (some endpoints take ``?key=...``)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.query:
        return url
    masked = "&".join(f"{k}=***" for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    return urllib.parse.urlunsplit(parts._replace(query=masked))


@dataclass(frozen=True)
class BackendSettings:
    """Which LLM backend to use: one frozen value built at the CLI and passed down.

    Attributes:
        kind: ``"template"`` (default, no model), ``"transformers"`` or ``"openai"``.
        model: model directory / hub id (transformers) or model name (openai).
        base_url: endpoint root for openai, e.g. ``"http://127.0.0.1:8080/v1"``.
        api_key_env: NAME of the environment variable holding the API key
            (openai); the key itself is never held here.
        device: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"`` (transformers).
        timeout_s: per-request timeout in seconds (openai).

    Raises:
        UnknownValueError: unknown ``kind``.
        UsageError: a missing model or base_url for the kind, a model or
            endpoint given to ``template``, or a bad value.
    """

    kind: BackendKind = "template"
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    device: str = "cpu"
    timeout_s: float = 60.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise UnknownValueError("llm backend", str(self.kind), KINDS)
        check_device(self.device)
        check_timeout(self.timeout_s)
        check_env_name(self.api_key_env)
        if self.kind == "template" and (self.model or self.base_url or self.api_key_env):
            raise UsageError("the template backend takes no model, base_url or api_key_env",
                             fix="choose kind 'transformers' or 'openai' to use a model")
        if self.kind == "transformers" and (self.base_url or self.api_key_env):
            raise UsageError("the transformers backend takes no base_url or api_key_env",
                             fix="choose kind 'openai' for an endpoint")
        self.build()  # cheap: checks the remaining values the same way the backend does

    def as_dict(self, mask: bool = True) -> dict[str, Any]:
        """The settings as a JSON-serialisable dict.

        Neither form can hold the API key: the settings only name its
        environment variable. ``mask=True`` also hides query-string values of
        ``base_url`` (for reports and manifests); ``mask=False`` gives the exact
        values, so that ``BackendSettings(**s.as_dict(mask=False)) == s``.
        """
        url = _mask_url(self.base_url) if (mask and self.base_url) else self.base_url
        return {"kind": self.kind, "model": self.model, "base_url": url, "api_key_env": self.api_key_env,
                "device": self.device, "timeout_s": self.timeout_s}

    def build(self) -> Backend:
        """The backend these settings describe (see :func:`make_backend`); nothing is loaded yet."""
        d = self.as_dict(mask=False)
        return make_backend(d.pop("kind"), **d)


__all__ = [
    "KINDS", "Backend", "BackendKind", "BackendSettings", "OpenAIBackend", "T", "TemplateBackend",
    "TransformersBackend", "make_backend", "render_for_model",
]
