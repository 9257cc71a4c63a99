"""Recorded demo of the two model backends through the real CLI, offline (for the issue #5 closing note).

1. ``transformers``: a tiny random-weight GPT-2 with a tokenizer trained here (no download) drafts
   the challenge, solution and next-step slides of a Vietnamese deck. Its output is noise, so every
   slide falls back to the template sentences, and ``claims.json`` says so.
2. ``openai``: a loopback fake OpenAI-compatible server. It answers like a careful model that quotes
   its first evidence passage (a Japanese deck, so the quote is a faithful claim) for the solution and
   next-step slides, and answers garbage for the challenge slide: there the one retry fails too and
   the slide falls back, visibly.

Run: ``HF_HUB_OFFLINE=1 .venv/bin/python scripts/demo_llm_backends.py [--out build/demo-llm]``.
Needs the index (``make index``). Prints each run's stderr and the ``generation`` block of its
claims.json. The key of the fake endpoint is read from ``PITCHGEN_DEMO_KEY`` (set here to a dummy);
the output is checked for it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PITCHGEN = [sys.executable, "-m", "pitchgen.cli"]
KEY = "sk-demo-not-a-real-key-1234"


def build_tiny_model(folder: Path) -> Path:
    """The tiny random GPT-2 of :mod:`pitchgen.llm.tiny`, its tokenizer trained on the prompt file."""
    from pitchgen.llm.tiny import build_tiny_gpt2

    return build_tiny_gpt2(folder, (ROOT / "prompts" / "slide_claims.yaml").read_text(encoding="utf-8").splitlines())


class QuotingModel(BaseHTTPRequestHandler):
    """Fake chat-completions endpoint: quotes evidence E1 as the claim, except on the challenge slide."""

    requests: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        user = body["messages"][-1]["content"]
        slide = re.search(r"Slide: (\w+)", user).group(1)
        self.requests.append(f"{slide} auth={'yes' if self.headers.get('Authorization') else 'no'}")
        block = user.split("<evidence>")[-1].split("</evidence>")[0]
        first = re.search(r"\[E1\][^\n]*\n(.+?)(?:\n\[E2\]|\Z)", block, re.S)
        sentence = re.split(r"(?<=。)", first.group(1).strip())[0].replace("\n", "") if first else ""
        if slide == "challenge" or not sentence:
            content = "I am sorry, I cannot help with that."
        else:
            content = json.dumps({"claims": [{"text": sentence, "evidence_ids": ["E1"]}]}, ensure_ascii=False)
        data = json.dumps({"id": "demo", "object": "chat.completion",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]},
                          ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the pitchgen CLI, echoing the command and its stderr."""
    print("$", " ".join(["pitchgen", *args]))
    proc = subprocess.run([*PITCHGEN, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    print("\n".join(x for x in (proc.stdout.strip(), proc.stderr.strip()) if x))
    return proc


def show(out: Path) -> dict:
    """Print the generation block of claims.json and the slides' model-drafted bullets; return the block."""
    doc = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    gen = doc["generation"]
    for role, rep in gen.get("slides", {}).items():
        shown = {k: rep.get(k) for k in ("attempts", "fallback", "reason") if k in rep}
        if shown.get("reason"):
            shown["reason"] = re.sub(r"(\\n|\n)+", " ", shown["reason"])[:150] + "…"
        print(f"  {role}: " + json.dumps(shown, ensure_ascii=False))
    return gen


def main() -> int:
    """Run both demos; exit 1 if a run fails or the key leaks into an output."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "demo-llm")
    ns = ap.parse_args()
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT / "src"))
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        model = build_tiny_model(Path(tmp) / "tiny-gpt2")
        print("== transformers backend, tiny random GPT-2 built at", model)
        e = dict(env, PITCHGEN_LLM_BACKEND="transformers", PITCHGEN_LLM_MODEL=str(model))
        p = run(["generate", "--country", "VN", "--sector", "e_government", "--lang", "vi", "--out", str(ns.out / "transformers-vi"),
                 "--force", "--date", "2026-11-21"], e)
        ok &= p.returncode == 0
        if ok:
            show(ns.out / "transformers-vi")

    server = ThreadingHTTPServer(("127.0.0.1", 0), QuotingModel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        print("\n== openai backend, fake OpenAI-compatible server at", url)
        e = dict(env, PITCHGEN_LLM_BACKEND="openai", PITCHGEN_LLM_MODEL="demo-model", PITCHGEN_LLM_BASE_URL=url,
                 PITCHGEN_LLM_API_KEY_ENV="PITCHGEN_DEMO_KEY", PITCHGEN_DEMO_KEY=KEY, no_proxy="127.0.0.1")
        run(["config", "show"], e)
        p = run(["generate", "--country", "ID", "--sector", "disaster_prevention", "--lang", "ja", "--out", str(ns.out / "openai-ja"),
                 "--force", "--date", "2026-11-21"], e)
        ok &= p.returncode == 0
        if p.returncode == 0:
            show(ns.out / "openai-ja")
            doc = json.loads((ns.out / "openai-ja" / "claims.json").read_text(encoding="utf-8"))
            drafted = [c for c in doc["claims"] if c["slide"] in (3, 8) and c["kind"] in ("output", "next_step")]
            for c in drafted[:3]:
                print(f"  slide {c['slide']} [{c['marker']}] {c['verdict']}: {c['text'][:90]}")
        print("  requests to the fake server:", ", ".join(QuotingModel.requests))
        leaked = [f for f in (ns.out / "openai-ja").iterdir() if KEY.encode() in f.read_bytes()]
        print("  key found in outputs:", leaked or "no")
        ok &= not leaked
    finally:
        server.shutdown()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
