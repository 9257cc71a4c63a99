"""A loopback fake of an OpenAI-compatible chat-completions server, shared by the LLM-backend and judge tests.

``allow_loopback`` lets sockets reach 127.0.0.1 only (on top of conftest's block);
``serve`` runs a scripted server on a free port and stops it when the block ends.
Every request loop is bounded: an exhausted script answers HTTP 599.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_REAL_CONNECT = socket.socket.connect
_REAL_CREATE_CONNECTION = socket.create_connection


def completion(content: str) -> str:
    return json.dumps({"id": "x", "object": "chat.completion",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                    "finish_reason": "stop"}]})


class FakeState:
    def __init__(self) -> None:
        self.steps: list[tuple[int, str, float]] = []  # (status, body, delay in s)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server API
        state: FakeState = self.server.state  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with state.lock:
            state.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                   "body": json.loads(body)})
            status, payload, delay = state.steps.pop(0) if state.steps else (599, "script exhausted", 0.0)
        if delay and state.stop.wait(delay):
            return  # server shutting down
        data = payload.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (timeout)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that timed out is expected here


def allow_loopback(monkeypatch, key_env: str, key: str) -> None:
    """Allow TCP connections to 127.0.0.1 only (on top of conftest's socket block); no proxies."""

    def connect(self, address):
        if self.family == socket.AF_UNIX or (isinstance(address, tuple) and address[0] == "127.0.0.1"):
            return _REAL_CONNECT(self, address)
        raise OSError(f"network access blocked in tests (loopback only): {address!r}")

    def create_connection(address, *args, **kwargs):
        if address[0] != "127.0.0.1":
            raise OSError(f"network access blocked in tests (loopback only): {address!r}")
        return _REAL_CREATE_CONNECTION(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv(key_env, key)


@contextmanager
def serve() -> Iterator[tuple[FakeState, str]]:
    """A scripted OpenAI-compatible server on 127.0.0.1:<free port>; yields (state, base_url)."""
    server = Server(("127.0.0.1", 0), Handler)
    server.state = FakeState()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.state, f"http://127.0.0.1:{server.server_address[1]}/v1"  # type: ignore[attr-defined]
    finally:
        server.state.stop.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
