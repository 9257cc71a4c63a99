"""Effective configuration: ``pitchgen.toml`` (user, then project), environment variables, flags.

Precedence, lowest first: built-in defaults < user file
(``~/.config/pitchgen/pitchgen.toml``) < project file (``<root>/pitchgen.toml``)
< environment variables < command-line flags. Only the CLI calls this module;
everything below it receives a frozen :class:`pitchgen.app.Config`.

Secrets are never read into the configuration: ``llm.api_key_env`` names the
environment variable that holds the key, and :func:`show` prints only whether
it is set.

Keys (TOML table.key -> environment variable):

===========================  ==========================  =================================
key                          environment                 meaning
===========================  ==========================  =================================
paths.cache_dir              PITCHGEN_CACHE_DIR          index cache folder
index.embedding_model        PITCHGEN_EMBEDDING_MODEL    packaged:all-minilm-l6-v2, a folder or a cached hub id
index.dense_weight           PITCHGEN_DENSE_WEIGHT       RRF weight of the dense ranking
index.rrf_k                  PITCHGEN_RRF_K              RRF constant
llm.backend                  PITCHGEN_LLM_BACKEND        template, transformers or openai
llm.model                    PITCHGEN_LLM_MODEL          local folder / hub id / endpoint model name
llm.base_url                 PITCHGEN_LLM_BASE_URL       OpenAI-compatible endpoint
llm.api_key_env              PITCHGEN_LLM_API_KEY_ENV    NAME of the variable holding the key
verify.nli_model             PITCHGEN_NLI_MODEL          local NLI model for the model tier
===========================  ==========================  =================================
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pitchgen.errors import UsageError

KEYS: dict[str, tuple[str, type]] = {
    "paths.cache_dir": ("PITCHGEN_CACHE_DIR", str),
    "index.embedding_model": ("PITCHGEN_EMBEDDING_MODEL", str),
    "index.dense_weight": ("PITCHGEN_DENSE_WEIGHT", float),
    "index.rrf_k": ("PITCHGEN_RRF_K", int),
    "llm.backend": ("PITCHGEN_LLM_BACKEND", str),
    "llm.model": ("PITCHGEN_LLM_MODEL", str),
    "llm.base_url": ("PITCHGEN_LLM_BASE_URL", str),
    "llm.api_key_env": ("PITCHGEN_LLM_API_KEY_ENV", str),
    "verify.nli_model": ("PITCHGEN_NLI_MODEL", str),
}
DEFAULTS: dict[str, object] = {
    "paths.cache_dir": None,
    "index.embedding_model": "packaged:all-minilm-l6-v2",
    "index.dense_weight": 0.1,
    "index.rrf_k": 10,
    "llm.backend": "template",
    "llm.model": None,
    "llm.base_url": None,
    "llm.api_key_env": None,
    "verify.nli_model": None,
}
BACKENDS = ("template", "transformers", "openai")


@dataclass(frozen=True)
class Setting:
    """One effective value and where it came from (default, user file, project file, env, flag)."""

    key: str
    value: object
    source: str


def _flatten(data: Mapping, path: Path) -> dict[str, object]:
    out = {}
    for table, values in data.items():
        if not isinstance(values, Mapping):
            raise UsageError(f"top-level key {table!r} is not a table", path=path, fix="write [index], [llm], [verify] or [paths] tables")
        for k, v in values.items():
            key = f"{table}.{k}"
            if key not in KEYS:
                raise UsageError(f"unknown setting {key!r}", path=path, fix=f"use one of: {', '.join(KEYS)}")
            out[key] = v
    return out


def _read(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        return _flatten(tomllib.loads(path.read_text(encoding="utf-8")), path)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML: {exc}", path=path, fix="correct the syntax (see README, Configuration)") from exc


def _coerce(key: str, value: object, where: str) -> object:
    kind = KEYS[key][1]
    if value is None:
        return None
    try:
        value = kind(value)
    except (TypeError, ValueError):
        raise UsageError(f"{key} = {value!r} from {where} is not a {kind.__name__}", fix=f"give {key} a {kind.__name__}") from None
    if key == "llm.backend" and value not in BACKENDS:
        raise UsageError(f"unknown llm.backend {value!r} from {where}", fix=f"use one of: {', '.join(BACKENDS)}")
    return value


def resolve(root: Path, env: Mapping[str, str], flags: Mapping[str, object], user_file: Path | None = None) -> dict[str, Setting]:
    """Effective settings with their sources.

    Args:
        root: project folder (its ``pitchgen.toml`` is the project file).
        env: the environment (passed in, so tests need not touch os.environ).
        flags: key -> value given on the command line (None = not given).
        user_file: defaults to ``~/.config/pitchgen/pitchgen.toml``.

    Raises:
        UsageError: malformed TOML, unknown key, or a value of the wrong type (file:line where known).
    """
    user_file = user_file or Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "pitchgen" / "pitchgen.toml"
    layers = [("default", DEFAULTS), (f"user file {user_file}", _read(user_file)),
              (f"project file {root / 'pitchgen.toml'}", _read(root / "pitchgen.toml")),
              ("environment", {k: env[v[0]] for k, v in KEYS.items() if env.get(v[0])}),
              ("flag", {k: v for k, v in flags.items() if v is not None})]
    out: dict[str, Setting] = {}
    for source, values in layers:
        for key, value in values.items():
            out[key] = Setting(key, _coerce(key, value, source), source)
    return out


def show(settings: Mapping[str, Setting], env: Mapping[str, str]) -> str:
    """Printable effective configuration; the API key is shown as set/unset, never its value.

    >>> s = {"llm.api_key_env": Setting("llm.api_key_env", "MY_KEY", "environment")}
    >>> show(s, {"MY_KEY": "sk-secret"})
    'llm.api_key_env = MY_KEY (set, value hidden)   # environment'
    """
    lines = []
    for key in sorted(settings):
        s = settings[key]
        value = s.value
        if key == "llm.api_key_env" and value:
            value = f"{value} ({'set' if env.get(str(value)) else 'unset'}, value hidden)"
        lines.append(f"{key} = {value}   # {s.source}")
    return "\n".join(lines)
