"""One HTTP round trip to an OpenAI-compatible ``/chat/completions`` endpoint (standard library only).

Shared by the LLM backend (:class:`pitchgen.llm.backends.OpenAIBackend`) and
the judge of the model tier (:class:`pitchgen.verify.model_tier.OpenAIJudge`), both built on :class:`ChatClient`.
The API key is passed in per call, sent as ``Authorization: Bearer``, and
scrubbed from every message this module produces.
"""

from __future__ import annotations

import json
import math
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from typing import TypeVar

from pitchgen.errors import PitchgenError, UsageError

T = TypeVar("T")


class TransientError(Exception):
    """A failure worth one more try: timeout, connection failure, HTTP 5xx, malformed envelope."""


def scrub(text: str, key: str | None) -> str:
    """``text`` with the key replaced by ``***``.

    >>> scrub("bad key sk-1 here", "sk-1")
    'bad key *** here'
    """
    return text.replace(key, "***") if key else text


def post_chat(endpoint: str, body: bytes, key: str | None, timeout_s: float,
              client_error: Callable[[int, str], Exception]) -> str:
    """POST ``body`` (JSON) to ``endpoint`` and return the first choice's message content.

    Args:
        endpoint: full URL of ``.../chat/completions``.
        body: the JSON request, UTF-8 encoded.
        key: API key or None (no Authorization header).
        timeout_s: socket timeout in seconds.
        client_error: builds the exception for an HTTP 4xx answer from
            (status, scrubbed detail); it is raised, not retried.

    Raises:
        TransientError: timeout, connection failure, HTTP 5xx, or a reply
            that is not a chat completion with text content.
    """
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:  # noqa: S310 - callers check the scheme
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        try:
            detail = scrub(exc.read(300).decode("utf-8", "replace"), key) if exc.fp else ""
        except OSError:
            detail = ""
        if exc.code >= 500:
            raise TransientError(f"HTTP {exc.code}") from None
        raise client_error(exc.code, detail.strip()[:200]) from None
    except (TimeoutError, socket.timeout):
        raise TransientError(f"timed out after {timeout_s:g} s") from None
    except urllib.error.URLError as exc:
        raise TransientError(f"connection failed: {scrub(str(exc.reason), key)}") from None
    except (HTTPException, ConnectionError) as exc:
        raise TransientError(f"connection failed: {scrub(str(exc), key)}") from None
    try:
        content = json.loads(raw)["choices"][0]["message"]["content"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, IndexError, TypeError) as exc:
        raise TransientError(f"not a chat-completions response ({type(exc).__name__})") from None
    if not isinstance(content, str):
        raise TransientError("the reply has no text content")
    return content


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_timeout(timeout_s: object) -> float:
    """A socket timeout in seconds (> 0, finite).

    Raises:
        UsageError: not a positive number.
    """
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or not math.isfinite(timeout_s) or timeout_s <= 0:
        raise UsageError(f"timeout_s must be a positive number of seconds, got {timeout_s!r}")
    return float(timeout_s)


def check_env_name(api_key_env: object) -> str | None:
    """The NAME of the environment variable holding an API key, or None.

    Raises:
        UsageError: not a variable name (the value is never echoed: it may be a key pasted by mistake).
    """
    if api_key_env is not None and (not isinstance(api_key_env, str) or not _ENV_NAME.match(api_key_env)):
        raise UsageError("api_key_env must be the NAME of an environment variable (e.g. OPENAI_API_KEY), "
                         "not the key itself")
    return api_key_env


def check_base_url(base_url: object) -> str:
    """An ``http(s)`` base URL without credentials, trailing ``/`` dropped.

    Raises:
        UsageError: not an http(s) URL, or it holds credentials.

    >>> check_base_url("http://127.0.0.1:8080/v1/")
    'http://127.0.0.1:8080/v1'
    """
    if not isinstance(base_url, str):
        raise UsageError(f"base_url must be a string, got {type(base_url).__name__}")
    parts = urllib.parse.urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"base_url {base_url!r} is not an http(s) URL", fix="pass e.g. http://127.0.0.1:8080/v1")
    if parts.username is not None or parts.password is not None:
        raise UsageError("base_url must not contain credentials",
                         fix="put the API key in an environment variable and pass its name as api_key_env")
    return base_url.strip().rstrip("/")


class ChatClient:
    """Settings and retrying round trip of an OpenAI-compatible chat endpoint; base of the LLM backend
    and of the model-tier judge.

    Args:
        base_url: e.g. ``"http://127.0.0.1:8080/v1"``; ``http(s)`` only, no credentials, trailing ``/`` dropped.
        model: the model name sent in the request.
        api_key_env: NAME of the environment variable holding the API key, read at each call and sent as
            ``Authorization: Bearer <key>``; None sends no key. The key is never stored, shown in
            ``repr``/``to_dict``, logged or put in an error message.
        timeout_s: socket timeout per attempt, in seconds (> 0).
        max_retries: extra attempts (0..5) after a :class:`TransientError`.
        backoff_s: pause before each retry, in seconds (>= 0).

    Subclasses set ``error`` (raised for HTTP 4xx and after the last retry), ``key_error`` (raised when
    the key variable is unset), ``what`` (how messages name the endpoint) and ``kind_key`` (the
    ``to_dict`` key naming the kind).

    Raises:
        UsageError: a bad argument value (at construction).
    """

    error: type[PitchgenError] = PitchgenError
    key_error: type[PitchgenError] = UsageError
    what = "endpoint"
    kind_key = "kind"

    def __init__(self, base_url: str, model: str, api_key_env: str | None = None, timeout_s: float = 60.0,
                 max_retries: int = 1, *, backoff_s: float = 1.0) -> None:
        self.base_url = check_base_url(base_url)
        if not isinstance(model, str) or not model.strip():
            raise UsageError(f"the {self.what} model name is empty", fix="pass the model name the endpoint serves")
        self.api_key_env = check_env_name(api_key_env)
        self.timeout_s = check_timeout(timeout_s)
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 5:
            raise UsageError(f"max_retries must be an integer in 0..5, got {max_retries!r}")
        if isinstance(backoff_s, bool) or not isinstance(backoff_s, (int, float)) or not math.isfinite(backoff_s) or backoff_s < 0:
            raise UsageError(f"backoff_s must be a number of seconds >= 0, got {backoff_s!r}")
        self.endpoint = f"{self.base_url}/chat/completions"
        self.model = model
        self.max_retries = max_retries
        self.backoff_s = float(backoff_s)
        self.name = f"openai:{model}"

    def __repr__(self) -> str:
        key = "None" if self.api_key_env is None else f"${self.api_key_env} (***)"
        return (f"{type(self).__name__}(base_url={self.base_url!r}, model={self.model!r}, api_key={key}, "
                f"timeout_s={self.timeout_s}, max_retries={self.max_retries})")

    def to_dict(self) -> dict:
        """Settings as a JSON-serialisable dict; holds the key's variable name, never the key."""
        return {self.kind_key: "openai", "base_url": self.base_url, "model": self.model, "api_key_env": self.api_key_env,
                "timeout_s": self.timeout_s, "max_retries": self.max_retries, "backoff_s": self.backoff_s}

    def _key(self) -> str | None:
        if self.api_key_env is None:
            return None
        key = os.environ.get(self.api_key_env, "").strip()
        if not key:
            raise self.key_error(f"the API key variable {self.api_key_env} for {self.endpoint} is not set",
                                 fix=f"set the environment variable {self.api_key_env} to the endpoint's API key")
        return key

    def warm_up(self) -> None:
        """Check, without network, that the API key variable is set (when one is named).

        Raises:
            key_error: the variable is unset or empty.
        """
        self._key()

    def complete(self, messages: list[dict[str, str]], parse: Callable[[str, str | None], T]) -> T:
        """POST ``messages`` (temperature 0, JSON response format) and return ``parse(content, key)``.

        Retries up to ``max_retries`` times, pausing ``backoff_s`` seconds, on a :class:`TransientError`
        from the round trip or from ``parse``; any other error of ``parse`` propagates at once.

        Raises:
            key_error: the key variable is named but unset.
            error: HTTP 4xx, or still failing after the retries; messages name the endpoint, never the key.
        """
        key = self._key()
        body = json.dumps({"model": self.model, "messages": messages, "temperature": 0,
                           "response_format": {"type": "json_object"}}, ensure_ascii=False).encode("utf-8")

        def client_error(code: int, detail: str) -> Exception:
            return self.error(f"{self.what} endpoint {self.endpoint} answered HTTP {code}: {detail}",
                              fix="check base_url, the model name and the API key variable")

        problems: list[str] = []
        for attempt in range(self.max_retries + 1):
            if attempt and self.backoff_s:
                time.sleep(self.backoff_s)
            try:
                return parse(post_chat(self.endpoint, body, key, self.timeout_s, client_error), key)
            except TransientError as exc:
                problems.append(str(exc))
        raise self.error(f"{self.what} endpoint {self.endpoint} failed {len(problems)} time(s): {'; '.join(problems)}",
                         fix="check that the server is running and the model name is right, or raise timeout_s")
