"""LLM backends: constructors and settings, JSON parsing, the template backend, a tiny local causal LM
built here (offline), and a loopback fake OpenAI-compatible server."""

from __future__ import annotations

import doctest
import json
import socket
import time
from pathlib import Path

import pytest

from pitchgen.errors import GenerationError, ModelLoadError, UnknownValueError, UsageError
from pitchgen.llm import backends
from pitchgen.llm.backends import (
    Backend,
    BackendSettings,
    OpenAIBackend,
    TemplateBackend,
    TransformersBackend,
    make_backend,
    render_for_model,
)
from pitchgen.llm.prompting import (
    DraftClaim,
    Evidence,
    SlideClaimsInput,
    SlideClaimsOutput,
    draft_with_retry,
    extract_json_object,
    load_template,
    parse_output,
    render_prompt,
)

# Captured at import, before conftest's autouse `_no_network` patches them for each test.

KEY_ENV = "PITCHGEN_TEST_LLM_KEY"
KEY = "sk-test-SECRET-llm-0123456789"
TEXT_832 = ("【ペルー】 放送システム・放送利活用システム\t\t2009年 日本方式採用決定 2010年 地上デジタル放送開始\t\t"
            "2016年 当方総務審議官と先方運輸通信大臣がICT協力に関する覚書に署名")
TEXT_392 = "には、これによる緊急警報放送の実現を促進する。"
VALID = {"claims": [{"text": "En 2016 se firmó un memorando de cooperación en TIC con el Perú.", "evidence_ids": ["E1"]}]}


@pytest.fixture(scope="module")
def template():
    return load_template()


@pytest.fixture(scope="module")
def inp() -> SlideClaimsInput:
    ev = (Evidence(id="E1", doc_id="mic-action-plan-2020", source_file="000_8c8e251bf5ccc63e.txt", line_start=832,
                   line_end=832, text=TEXT_832),
          Evidence(id="E2", doc_id="mic-action-plan-2020", source_file="000_8c8e251bf5ccc63e.txt", line_start=392,
                   line_end=392, text=TEXT_392))
    return SlideClaimsInput(lang="es", country_name="Perú", sector_name="TIC para la prevención de desastres",
                            slide_role="cases", evidence=ev, max_claims=2)


@pytest.fixture(scope="module")
def prompt(inp, template):
    return render_prompt(inp, template)


def _always(c: DraftClaim) -> bool:
    return True


# -- constructors, settings ----------------------------------------------------


def test_constructor_defaults_are_cheap():
    t = TransformersBackend("/does/not/exist")  # nothing loaded, no error yet
    assert (t.device, t.max_new_tokens, t.temperature, t.name) == ("cpu", 256, 0.0, "transformers:/does/not/exist")
    assert t._model is None
    assert t.to_dict() == {"kind": "transformers", "model": "/does/not/exist", "device": "cpu",
                           "max_new_tokens": 256, "temperature": 0.0}
    o = OpenAIBackend("http://127.0.0.1:8080/v1/", "qwen2.5")
    assert o.endpoint == "http://127.0.0.1:8080/v1/chat/completions"
    assert (o.api_key_env, o.timeout_s, o.max_retries, o.name) == (None, 60.0, 1, "openai:qwen2.5")
    for b in (t, o, TemplateBackend()):
        assert isinstance(b, Backend)


@pytest.mark.parametrize("kwargs", [
    {"model": ""}, {"model": "m", "device": "gpu"}, {"model": "m", "max_new_tokens": 0},
    {"model": "m", "max_new_tokens": True}, {"model": "m", "temperature": -0.1},
    {"model": "m", "temperature": float("nan")}, {"model": "m", "temperature": 3},
])
def test_transformers_constructor_rejects_bad_values(kwargs):
    with pytest.raises(UsageError):
        TransformersBackend(**kwargs)


def test_key_pasted_as_env_name_is_not_echoed_by_the_settings():
    with pytest.raises(UsageError) as err:  # the client itself: tests/adapters/test_chat_http.py
        BackendSettings(kind="openai", base_url="http://host/v1", model="m", api_key_env=KEY)
    assert KEY not in str(err.value)


def test_make_backend():
    assert isinstance(make_backend("template"), TemplateBackend)
    t = make_backend("transformers", model="/models/qwen", device="cpu", timeout_s=60.0, base_url=None)
    assert isinstance(t, TransformersBackend) and t.model == "/models/qwen"
    o = make_backend("openai", base_url="http://127.0.0.1:1/v1", model="m", api_key_env=KEY_ENV, device="cpu")
    assert isinstance(o, OpenAIBackend) and o.api_key_env == KEY_ENV
    with pytest.raises(UnknownValueError, match="llm backend 'gpt'"):
        make_backend("gpt")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="does not apply"):
        make_backend("template", model="m")
    with pytest.raises(UsageError, match="does not apply"):
        make_backend("openai", base_url="http://h/v1", model="m", device="cuda")
    with pytest.raises(UsageError, match="--llm-model"):
        make_backend("transformers")
    with pytest.raises(UsageError, match="base_url"):
        make_backend("openai", model="m")


def test_backend_settings_round_trip_and_mask(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    assert BackendSettings().kind == "template" and isinstance(BackendSettings().build(), TemplateBackend)
    s = BackendSettings(kind="openai", model="qwen2.5", base_url="https://llm.example/v1?api-version=2024&key=abc",
                        api_key_env=KEY_ENV, timeout_s=5)
    assert BackendSettings(**s.as_dict(mask=False)) == s  # round trip
    masked = s.as_dict()
    assert masked["base_url"] == "https://llm.example/v1?api-version=***&key=***"
    assert masked["api_key_env"] == KEY_ENV
    b = s.build()
    assert isinstance(b, OpenAIBackend) and b.timeout_s == 5.0
    for shown in (repr(s), json.dumps(masked), json.dumps(s.as_dict(mask=False)), repr(b), json.dumps(b.to_dict())):
        assert KEY not in shown
    t = BackendSettings(kind="transformers", model="/models/qwen", device="cuda:0")
    assert t.build().name == "transformers:/models/qwen" and t.as_dict()["device"] == "cuda:0"


@pytest.mark.parametrize("kwargs,error", [
    ({"kind": "gpt"}, UnknownValueError),
    ({"kind": "transformers"}, UsageError),
    ({"kind": "openai", "model": "m"}, UsageError),
    ({"kind": "template", "model": "m"}, UsageError),
    ({"kind": "transformers", "model": "m", "base_url": "http://h/v1"}, UsageError),
    ({"kind": "openai", "model": "m", "base_url": "http://h/v1", "timeout_s": -1}, UsageError),
    ({"kind": "transformers", "model": "m", "device": "tpu"}, UsageError),
])
def test_backend_settings_reject_bad_values(kwargs, error):
    with pytest.raises(error):
        BackendSettings(**kwargs)


def test_template_backend_writes_no_free_text(prompt):
    b = TemplateBackend()
    b.warm_up()
    assert (b.name, b.to_dict()) == ("template", {"kind": "template"})
    with pytest.raises(GenerationError, match="template backend writes no free text; use the template sentences"):
        b.generate(prompt, SlideClaimsOutput)


def test_doctests_pass():
    result = doctest.testmod(backends, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# -- parsing ---------------------------------------------------------------------


def test_extract_json_object():
    body = json.dumps(VALID, ensure_ascii=False)
    assert extract_json_object(body) == body
    assert extract_json_object(f"回答です。\n```json\n{body}\n```\n以上") == body
    assert extract_json_object('["E1"] {"a": {"b": 1}} {"c": 2}') == '{"a": {"b": 1}}'
    assert extract_json_object('{bad} {"ok": "緊急警報"}') == '{"ok": "緊急警報"}'
    for none in ("", "no json", "{", '["E1"]', '{"a": 1'):
        assert extract_json_object(none) is None


def test_parse_output_errors_carry_the_raw_text_truncated():
    assert parse_output(json.dumps(VALID), SlideClaimsOutput).claims[0].evidence_ids == ["E1"]
    with pytest.raises(GenerationError, match="no JSON object; output: 'ペルー'"):
        parse_output("ペルー", SlideClaimsOutput, source="fake")
    long = '{"claims": [{"text": "x"}]} ' + "緊急" * 500
    with pytest.raises(GenerationError) as err:
        parse_output(long, SlideClaimsOutput, source="fake")
    msg = str(err.value)
    assert "does not match SlideClaimsOutput" in msg and "evidence_ids" in msg and "(1028 chars)" in msg
    assert len(msg) < 800


# -- TransformersBackend: tiny random-weight GPT-2 built here -------------------------


@pytest.fixture(scope="module")
def tiny_lm_dir(tmp_path_factory, prompt) -> Path:
    """A 1-layer random GPT-2 with a byte-level BPE tokenizer trained here; no chat template."""
    from pitchgen.llm.tiny import build_tiny_gpt2

    lines = prompt.as_text().split("\n") + [json.dumps(VALID, ensure_ascii=False)]
    return build_tiny_gpt2(tmp_path_factory.mktemp("tiny-gpt2"), lines)


@pytest.fixture(scope="module")
def tiny_lm(tiny_lm_dir) -> TransformersBackend:
    b = TransformersBackend(str(tiny_lm_dir), max_new_tokens=24)
    b.warm_up()
    return b


def test_tiny_lm_loads_offline_and_generates_deterministically(tiny_lm, prompt):
    assert tiny_lm._tokenizer.chat_template is None  # plain-text rendering path
    a, b = tiny_lm.complete(prompt), tiny_lm.complete(prompt)
    assert isinstance(a, str) and a and a == b  # greedy: same text twice
    tiny_lm.warm_up()  # idempotent


def test_tiny_lm_random_output_is_not_json(tiny_lm, prompt):
    with pytest.raises(GenerationError) as err:
        tiny_lm.generate(prompt, SlideClaimsOutput)
    msg = str(err.value)
    assert msg.startswith(f"{tiny_lm.name} returned no JSON object; output: ")
    assert repr(tiny_lm.complete(prompt))[:40] in msg  # the raw text is in the message


def test_tiny_lm_draft_falls_back_after_two_attempts(tiny_lm, inp, template):
    claims, report = draft_with_retry(tiny_lm, inp, _always, template=template)
    assert claims == []
    assert (report["backend"], report["attempts"], report["retries"], report["fallback"]) == (
        tiny_lm.name, 2, 1, True)
    assert "after 2 attempts" in report["reason"] and "no JSON object" in report["reason"]


def test_tiny_lm_prompt_longer_than_its_context(tiny_lm_dir, prompt):
    b = TransformersBackend(str(tiny_lm_dir), max_new_tokens=4000)
    with pytest.raises(GenerationError, match="exceeds the context"):
        b.generate(prompt, SlideClaimsOutput)


def test_render_for_model_uses_a_chat_template_when_present(tiny_lm, prompt):
    assert render_for_model(prompt, tiny_lm._tokenizer) == prompt.as_text()
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_lm.model, local_files_only=True)
    tok.chat_template = ("{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
                         "{% if add_generation_prompt %}<|assistant|>{% endif %}")
    text = render_for_model(prompt, tok)
    assert text.startswith("<|system|>") and text.endswith("<|assistant|>")
    assert text.count("<|user|>") == 3 and text.count("<|assistant|>") == 3  # 2 examples + the generation prompt


@pytest.mark.parametrize("path", ["/does/not/exist/llm", "./no-such-llm", "nobody/not-a-cached-llm"])
def test_missing_model_says_how_to_fix(path, prompt):
    with pytest.raises(ModelLoadError) as err:
        TransformersBackend(path).generate(prompt, SlideClaimsOutput)
    assert "--llm-model" in str(err.value) and "download the model once" in str(err.value)


def test_directory_without_config(tmp_path):
    with pytest.raises(ModelLoadError, match="config.json"):
        TransformersBackend(str(tmp_path)).warm_up()


# -- OpenAIBackend: loopback fake server -------------------------------------------


from fake_openai import completion as _completion  # noqa: E402 - tests/ is on sys.path; fixtures fake_openai, loopback_only in conftest


def _backend(base: str, **kw) -> OpenAIBackend:
    return OpenAIBackend(base, "qwen2.5", **{"api_key_env": KEY_ENV, "timeout_s": 5, "backoff_s": 0, **kw})


def test_openai_valid_reply(fake_openai, prompt):
    state, base = fake_openai
    state.steps = [(200, _completion(json.dumps(VALID, ensure_ascii=False)), 0.0)]
    b = _backend(base)
    out = b.generate(prompt, SlideClaimsOutput)
    assert isinstance(out, SlideClaimsOutput) and out.model_dump() == VALID
    (req,) = state.requests
    assert req["path"] == "/v1/chat/completions"
    assert req["auth"] == f"Bearer {KEY}"
    body = req["body"]
    assert body["model"] == "qwen2.5" and body["temperature"] == 0
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"] == prompt.messages()  # system, 2 few-shot pairs, the task
    assert KEY not in repr(b) and KEY not in json.dumps(b.to_dict()) and KEY not in json.dumps(vars(b))
    assert KEY_ENV in repr(b)


def test_openai_without_key_sends_no_authorization(fake_openai, prompt):
    state, base = fake_openai
    state.steps = [(200, _completion(json.dumps(VALID)), 0.0)]
    OpenAIBackend(base, "m", backoff_s=0).generate(prompt, SlideClaimsOutput)
    assert state.requests[0]["auth"] is None


def test_openai_draft_retry_after_an_unknown_evidence_id(fake_openai, inp, template):
    state, base = fake_openai
    bad = {"claims": [{"text": "Perú adoptó el EWBS en 2019.", "evidence_ids": ["E9"]}]}
    state.steps = [(200, _completion(json.dumps(bad)), 0.0), (200, _completion(json.dumps(VALID)), 0.0)]
    claims, report = draft_with_retry(_backend(base), inp, _always, template=template)
    assert [c.model_dump() for c in claims] == VALID["claims"]
    assert (report["attempts"], report["retries"], report["fallback"]) == (2, 1, False)
    assert report["problems"] == [["claim 1: cites 'E9', which is not among the evidence ids E1, E2"]]
    assert len(state.requests) == 2
    retry_user = state.requests[1]["body"]["messages"][-1]["content"]
    assert "cites 'E9'" in retry_user and "cites 'E9'" not in state.requests[0]["body"]["messages"][-1]["content"]


def test_openai_draft_invalid_twice_falls_back(fake_openai, inp, template):
    state, base = fake_openai
    state.steps = [(200, _completion("Claro, aquí tienes las afirmaciones."), 0.0),
                   (200, _completion('{"claims": [{"text": "Perú"}]}'), 0.0)]
    claims, report = draft_with_retry(_backend(base), inp, _always, template=template)
    assert claims == [] and report["fallback"] is True and report["attempts"] == 2
    assert "after 2 attempts" in report["reason"] and "does not match SlideClaimsOutput" in report["reason"]
    assert "no JSON object" in report["problems"][0][0]
    assert len(state.requests) == 2  # invalid content is not retried inside the backend
    assert KEY not in json.dumps(report)


def test_openai_invalid_json_is_not_retried_by_the_backend(fake_openai, prompt):
    state, base = fake_openai
    state.steps = [(200, _completion('{"claims": '), 0.0)]
    with pytest.raises(GenerationError) as err:
        _backend(base, max_retries=1).generate(prompt, SlideClaimsOutput)
    assert len(state.requests) == 1 and f"LLM endpoint {base}/chat/completions" in str(err.value)


def test_openai_retries_after_a_5xx_and_a_bad_envelope(fake_openai, prompt):
    state, base = fake_openai
    state.steps = [(503, "busy", 0.0), (200, "not json", 0.0), (200, _completion(json.dumps(VALID)), 0.0)]
    out = _backend(base, max_retries=2).generate(prompt, SlideClaimsOutput)
    assert out.claims[0].evidence_ids == ["E1"] and len(state.requests) == 3


def test_openai_timeout_names_the_endpoint_not_the_key(fake_openai, prompt):
    state, base = fake_openai
    valid = _completion(json.dumps(VALID))
    state.steps = [(200, valid, 3.0), (200, valid, 3.0)]
    b = _backend(base, timeout_s=0.2, max_retries=1)
    t0 = time.monotonic()
    with pytest.raises(GenerationError) as err:
        b.generate(prompt, SlideClaimsOutput)
    assert time.monotonic() - t0 < 2.5
    msg = str(err.value)
    assert f"{base}/chat/completions" in msg and "timed out" in msg and KEY not in msg
    assert len(state.requests) == 2
    assert state.requests[0]["auth"] == f"Bearer {KEY}"


def test_openai_4xx_is_not_retried_and_the_key_is_scrubbed(fake_openai, prompt):
    state, base = fake_openai
    state.steps = [(401, json.dumps({"error": f"invalid api key {KEY}"}), 0.0)]
    with pytest.raises(GenerationError) as err:
        _backend(base, max_retries=1).generate(prompt, SlideClaimsOutput)
    assert len(state.requests) == 1 and "401" in str(err.value) and KEY not in str(err.value)


def test_openai_key_echoed_in_content_is_scrubbed(fake_openai, prompt):
    state, base = fake_openai
    state.steps = [(200, _completion(f"my key is {KEY}"), 0.0)]
    with pytest.raises(GenerationError) as err:
        _backend(base).generate(prompt, SlideClaimsOutput)
    assert KEY not in str(err.value) and "***" in str(err.value)


def test_openai_missing_key_variable(monkeypatch, prompt):
    monkeypatch.delenv(KEY_ENV, raising=False)
    b = OpenAIBackend("http://127.0.0.1:9/v1", "m", api_key_env=KEY_ENV)
    with pytest.raises(UsageError, match=KEY_ENV):
        b.warm_up()
    with pytest.raises(UsageError, match=KEY_ENV):
        b.generate(prompt, SlideClaimsOutput)


def test_openai_unreachable_server(loopback_only, prompt):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    b = OpenAIBackend(f"http://127.0.0.1:{port}/v1", "m", timeout_s=1, max_retries=1, backoff_s=0)
    with pytest.raises(GenerationError, match="connection failed"):
        b.generate(prompt, SlideClaimsOutput)
