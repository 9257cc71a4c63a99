"""LLM backends that stay grounded: typed prompts, validated replies, one retry, reported fallback.

* :mod:`pitchgen.llm.backends`: the :class:`~pitchgen.llm.backends.Backend`
  interface (``generate(prompt, output_type) -> validated object``) and its
  template (default, no model), local transformers and OpenAI-compatible
  implementations; :class:`~pitchgen.llm.backends.BackendSettings` and
  :func:`~pitchgen.llm.backends.make_backend` build one from configuration.
* :mod:`pitchgen.llm.prompting`: the slide-claims prompt
  (``prompts/slide_claims.yaml``) with typed input, output and few-shot
  examples, evidence delimited as data, :func:`~pitchgen.llm.prompting.validate_output`
  and :func:`~pitchgen.llm.prompting.draft_with_retry`.

Importing this package loads neither torch nor transformers and reads no
environment variable.
"""

from pitchgen.llm.backends import (
    KINDS,
    Backend,
    BackendKind,
    BackendSettings,
    OpenAIBackend,
    TemplateBackend,
    TransformersBackend,
    make_backend,
    render_for_model,
)
from pitchgen.llm.prompting import (
    EVIDENCE_CLOSE,
    EVIDENCE_OPEN,
    DraftClaim,
    Evidence,
    ExampleTurn,
    FewShot,
    Prompt,
    PromptTemplate,
    SlideClaimsInput,
    SlideClaimsOutput,
    default_template_path,
    draft_with_retry,
    evidence_from,
    extract_json_object,
    load_template,
    neutralise_data,
    parse_output,
    render_prompt,
    to_citations,
    validate_output,
)

__all__ = [
    "EVIDENCE_CLOSE", "EVIDENCE_OPEN", "KINDS", "Backend", "BackendKind", "BackendSettings", "DraftClaim",
    "Evidence", "ExampleTurn", "FewShot", "OpenAIBackend", "Prompt", "PromptTemplate", "SlideClaimsInput",
    "SlideClaimsOutput", "TemplateBackend", "TransformersBackend", "default_template_path", "draft_with_retry",
    "evidence_from", "extract_json_object", "load_template", "make_backend", "neutralise_data", "parse_output",
    "render_for_model", "render_prompt", "to_citations", "validate_output",
]
