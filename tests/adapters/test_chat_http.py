"""ChatClient: the settings checks and key handling shared by the LLM backend and the model-tier judge."""

import socket

import pytest

from pitchgen.adapters.chat_http import ChatClient, check_base_url, scrub
from pitchgen.errors import UsageError
from pitchgen.llm.backends import OpenAIBackend
from pitchgen.verify.model_tier import OpenAIJudge

KEY = "sk-test-secret-0123456789"
KEY_ENV = "PITCHGEN_TEST_CHAT_KEY"
CLIENTS = [OpenAIBackend, OpenAIJudge]


@pytest.mark.parametrize("cls", CLIENTS)
@pytest.mark.parametrize("kwargs", [
    {"base_url": "ftp://host/v1", "model": "m"},
    {"base_url": "127.0.0.1:8080", "model": "m"},
    {"base_url": "http://user:pw@host/v1", "model": "m"},
    {"base_url": "http://host/v1", "model": ""},
    {"base_url": "http://host/v1", "model": "m", "timeout_s": 0},
    {"base_url": "http://host/v1", "model": "m", "timeout_s": float("inf")},
    {"base_url": "http://host/v1", "model": "m", "max_retries": -1},
    {"base_url": "http://host/v1", "model": "m", "max_retries": 99},
    {"base_url": "http://host/v1", "model": "m", "backoff_s": -1},
])
def test_constructor_rejects_bad_values(cls, kwargs):
    with pytest.raises(UsageError):
        cls(**kwargs)


@pytest.mark.parametrize("cls", CLIENTS)
def test_key_pasted_as_env_name_is_not_echoed(cls):
    with pytest.raises(UsageError) as err:
        cls("http://host/v1", "m", api_key_env=KEY)
    assert KEY not in str(err.value)


@pytest.mark.parametrize("cls,kind_key,timeout", [(OpenAIBackend, "kind", 60.0), (OpenAIJudge, "type", 30.0)])
def test_settings_round_trip_without_the_key(cls, kind_key, timeout, monkeypatch):
    monkeypatch.setenv("PITCHGEN_TEST_KEY", KEY)
    c = cls("http://127.0.0.1:8080/v1/", "qwen", api_key_env="PITCHGEN_TEST_KEY")
    assert isinstance(c, ChatClient) and c.endpoint == "http://127.0.0.1:8080/v1/chat/completions"
    d = c.to_dict()
    assert d[kind_key] == "openai" and d["timeout_s"] == timeout and d["api_key_env"] == "PITCHGEN_TEST_KEY"
    assert KEY not in repr(c) and KEY not in str(d) and c._key() == KEY


def test_helpers():
    assert check_base_url(" https://api.example.com/v1/ ") == "https://api.example.com/v1"
    assert scrub(f"bad {KEY}!", KEY) == "bad ***!" and scrub("x", None) == "x"


def test_loopback_fixture_still_blocks_other_hosts(loopback_only):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(OSError, match="blocked"):
        s.connect(("10.255.255.1", 80))
