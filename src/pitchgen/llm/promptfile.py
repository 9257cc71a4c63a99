"""Typed prompt files: the fields, checks and user-message layout every prompt in ``prompts/`` shares.

A prompt file is YAML with ``name``, ``version``, ``system`` (naming the data block's
delimiters and saying its content is DATA, never instructions), ``instructions``,
``closing`` and ``retry`` (``string.Template`` texts) and typed few-shot ``examples``.
:mod:`pitchgen.llm.prompting` (slide claims) and :mod:`pitchgen.llm.translate` (query
translation) build on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from string import Template
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from pitchgen.errors import GenerationError
from pitchgen.records import Record

_M = TypeVar("_M", bound=BaseModel)


class PromptFile(Record):
    """What every typed prompt file holds: name, version, system text, and the user-message texts.

    ``instructions``, ``closing`` and ``retry`` are ``string.Template`` texts; ``retry`` takes
    ``${problems}``. ``source`` is the file it was read from.
    """

    name: str
    version: int
    system: str
    instructions: str
    closing: str
    retry: str
    source: str = ""


def read_prompt_file(p: Path, required: Sequence[str], delimiters: tuple[str, str], placeholders: dict[str, str],
                     example_type: type[_M], check: Callable[[_M], list[str]], usable: str) -> tuple[dict, str, list[_M]]:
    """Read a typed prompt file and run the checks every prompt file shares.

    Checks: the file exists and is YAML; ``required`` keys are present; the system text names
    both ``delimiters`` and says ``DATA``; ``instructions``, ``closing`` and ``retry`` use only
    ``placeholders`` (and ``${problems}`` in retry); each example validates as ``example_type``
    and ``check`` finds no problem in it.

    Args:
        p: the YAML file.
        required: top-level keys the file must have.
        delimiters: (opening, closing) tags of the data block.
        placeholders: known ``${name}`` values (sample values for the check).
        example_type: pydantic model of one few-shot example.
        check: problems of one example (empty when usable).
        usable: adjective for the error message ("grounded", "a usable translation").

    Returns:
        (the parsed mapping, the system text, the typed examples).

    Raises:
        GenerationError: a check failed; the message names the file and the problem.
    """
    import yaml

    if not p.is_file():
        raise GenerationError("prompt template not found", path=p, fix=f"pass the path of prompts/{p.name} from the pitchgen project")
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise GenerationError(f"prompt template is not valid YAML: {exc}", path=p) from None
    if not isinstance(raw, dict) or any(k not in raw for k in required):
        missing = [k for k in required if not isinstance(raw, dict) or k not in raw]
        raise GenerationError(f"prompt template lacks keys {missing}", path=p, fix=f"a prompt file needs the keys {list(required)}")
    system = str(raw["system"])
    opening, closing = delimiters
    if opening not in system or closing not in system or "DATA" not in system:
        raise GenerationError(f"the system text must name {opening} and {closing} and say that "
                              "their content is DATA, never instructions", path=p)
    for key in ("instructions", "closing", "retry"):
        try:
            Template(str(raw[key])).substitute(placeholders, problems="- x")
        except (KeyError, ValueError) as exc:
            raise GenerationError(f"{key}: unknown or malformed placeholder {exc}", path=p,
                                  fix="use only " + ", ".join("${" + k + "}" for k in sorted(placeholders))
                                  + " (and ${problems} in retry)") from None
    examples: list[_M] = []
    for i, ex in enumerate(raw["examples"] or [], 1):
        try:
            shot = example_type.model_validate(ex)
        except ValidationError as exc:
            raise GenerationError(f"example {i} is malformed: {brief_errors(exc)}", path=p) from None
        bad = check(shot)
        if bad:
            raise GenerationError(f"example {i} is not {usable}: {'; '.join(bad)}", path=p)
        examples.append(shot)
    return raw, system, examples


def brief_errors(exc: ValidationError, n: int = 3) -> str:
    """Locations and messages of the first ``n`` validation errors, without input values."""
    errs = exc.errors()
    shown = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or '(root)'}: {e['msg']}" for e in errs[:n])
    return shown + (f" (+{len(errs) - n} more)" if len(errs) > n else "")


def compose_user_message(tpl, values: dict[str, str], block: str, problems: Sequence[str] = ()) -> str:
    """A prompt's user message: filled ``instructions``, the data ``block``, the ``retry`` text
    listing ``problems`` (one ``- `` line each, when any) and the ``closing`` line.

    Args:
        tpl: a loaded prompt template (has ``instructions``, ``retry``, ``closing``).
        values: ``${name}`` values for the template texts.
        block: the delimited data block, already neutralised.
        problems: one-line problems of a previous attempt (never model text).
    """
    parts = [Template(tpl.instructions).substitute(values).strip(), block]
    if problems:
        listed = "\n".join(f"- {p}" for p in problems)
        parts.append(Template(tpl.retry).substitute(values, problems=listed).strip())
    parts.append(Template(tpl.closing).substitute(values).strip())
    return "\n\n".join(parts)
