"""The generator with an LLM backend: verified model claims are used; invalid output retries once, then falls back visibly."""

import json

from pitchgen.errors import GenerationError


class FakeBackend:
    """Replays fixed structured outputs (deterministic double of a model)."""

    name = "fake"

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls = 0

    def generate(self, prompt, output_type):
        self.calls += 1
        reply = self.replies[min(self.calls - 1, len(self.replies) - 1)]
        if isinstance(reply, Exception):
            raise reply
        return output_type.model_validate(reply)


def _plan(resources, tiny_index, backend, tmp_path):
    from pitchgen.generate.planner import Planner

    files = {d.meta.doc_id: d.meta.source_file for d in resources.corpus.documents}
    planner = Planner(tiny_index, resources.vocab, resources.glossary, resources.bank, resources.sdg, resources.phrases,
                      resources.doc_titles("es"), resources.casebook.records, files, verifier=resources.verifier, backend=backend)
    return planner.plan("PE", "disaster_prevention", "es", "2026-11-20")[0]


def test_valid_model_claims_are_used_and_verified(resources, tiny_index, tmp_path):
    ok = {"claims": [{"text": "Japón coopera en la prevención de desastres.", "evidence_ids": ["E1"]}]}
    backend = FakeBackend([ok])
    plan = _plan(resources, tiny_index, backend, tmp_path)
    report = plan.generation["slides"]["challenge"]
    assert report["fallback"] is False and report["attempts"] == 1
    challenge = next(s for s in plan.slides if s.role == "challenge")
    assert any(b.text.startswith("Japón coopera en la prevención") for b in challenge.bullets)
    claim = next(c for c in plan.claims if c.text.startswith("Japón coopera en la prevención"))
    assert claim.citations and claim.verdict in ("supported", "unverified")


def test_invalid_output_retries_once_then_falls_back_visibly(resources, tiny_index, tmp_path):
    bad = {"claims": [{"text": "Perú instaló EWBS en 2031.", "evidence_ids": ["E99"]}]}
    backend = FakeBackend([bad, bad])
    plan = _plan(resources, tiny_index, backend, tmp_path)
    report = plan.generation["slides"]["challenge"]
    assert report["fallback"] is True and report["reason"] and report["attempts"] == 2
    challenge = next(s for s in plan.slides if s.role == "challenge")
    assert challenge.bullets and all("2031" not in b.text for b in challenge.bullets)  # template sentences instead
    # the slide itself says so, in the deck's language
    assert any(n.startswith("Esta diapositiva usa frases de plantilla") and "(fake)" in n for n in challenge.notes)
    assert not any("plantilla" in n for s in plan.slides if s.role != "challenge" and not plan.generation["slides"].get(s.role, {}).get("fallback")
                   for n in s.notes)


def test_a_contradicted_model_claim_never_reaches_the_slide(resources, tiny_index, tmp_path):
    wrong = {"claims": [{"text": "Chile firmó un memorando con Japón en 1999.", "evidence_ids": ["E1"]}]}
    backend = FakeBackend([wrong, wrong])
    plan = _plan(resources, tiny_index, backend, tmp_path)
    assert all("1999" not in c.text for c in plan.claims)
    assert plan.generation["slides"]["challenge"]["fallback"] is True


def test_claims_json_reports_the_backend(resources, tiny_index, tmp_path):
    from pitchgen.app import write_outputs
    from pitchgen.generate.planner import Evidence

    backend = FakeBackend([GenerationError("model timed out")])
    plan = _plan(resources, tiny_index, backend, tmp_path)
    write_outputs(plan, Evidence(()), resources, tmp_path / "o", False)
    data = json.loads((tmp_path / "o" / "claims.json").read_text(encoding="utf-8"))
    assert data["generation"]["backend"] == "fake"
    assert data["generation"]["slides"]["challenge"]["fallback"] is True


def test_generate_warns_about_each_fallback_slide(resources, tiny_index, tmp_path):
    import dataclasses

    from pitchgen.app import Resources, generate

    class Settings:
        def build(self):
            return FakeBackend([GenerationError("model timed out")])

    res = Resources(dataclasses.replace(resources.config, llm=Settings()))
    plan, warnings = generate(res, "PE", "disaster_prevention", "es", tmp_path / "o", "2026-11-20", index=tiny_index)
    fell = [r for r, rep in plan.generation["slides"].items() if rep["fallback"]]
    assert fell and len([w for w in warnings if "template sentences used, fake gave no usable answer" in w]) == len(fell)
