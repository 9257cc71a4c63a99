"""One HTTP round trip to an OpenAI-compatible ``/chat/completions`` endpoint (standard library only).

Shared by the LLM backend (:class:`pitchgen.llm.backends.OpenAIBackend`) and
the judge of the model tier (:class:`pitchgen.verify.model_tier.OpenAIJudge`).
The API key is passed in per call, sent as ``Authorization: Bearer``, and
scrubbed from every message this module produces.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPException


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
