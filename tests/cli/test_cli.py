"""CLI: bad input exits 2 with the valid values; search JSON line numbers match sed; eval exit codes."""

import json
import subprocess

import pytest
from typer.testing import CliRunner

from pitchgen.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def common(tiny_config, tiny_index):
    return ["--root", str(tiny_config.root), "--cache-dir", str(tiny_config.cache_dir),
            "--embedding-model", tiny_config.index.embedder.model_id]


def test_help_lists_every_command():
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for cmd in ("index", "search", "generate", "eval"):
        assert cmd in r.output


@pytest.mark.parametrize("args,field,example", [
    (["--country", "XX", "--sector", "e_government", "--lang", "vi"], "country", "VN"),
    (["--country", "VN", "--sector", "space_elevators", "--lang", "vi"], "sector", "disaster_prevention"),
    (["--country", "VN", "--sector", "e_government", "--lang", "fr"], "language", "pt"),
    (["--country", "BR", "--sector", "telemedicine", "--lang", "pt-XX"], "language", "pt-PT"),
])
def test_unknown_values_exit_2_and_list_valid_ones(common, tmp_path, args, field, example):
    r = runner.invoke(app, ["generate", *args, "--out", str(tmp_path / "o"), *common])
    assert r.exit_code == 2, r.output
    assert f"unknown {field}" in r.output and example in r.output
    assert not (tmp_path / "o").exists()


def test_existing_output_refused_then_forced(common, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    args = ["generate", "--country", "PE", "--sector", "disaster_prevention", "--lang", "es", "--out", str(out), *common]
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "--force" in r.output
    assert (out / "mine.txt").read_text(encoding="utf-8") == "keep me"
    r = runner.invoke(app, [*args, "--force", "--date", "2026-11-20"])
    assert r.exit_code == 0, r.output
    assert {p.name for p in out.iterdir()} == {"deck.pptx", "brief.docx", "claims.json"}
    rep = ["--report-dir", str(out.parent / "rep")]
    r = runner.invoke(app, ["eval", str(out), "--json", *rep, *common])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["decks"][0]["ok"] is True and report["gate_failures"] == []
    data = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    data["claims"][0]["citations"] = []
    (out / "claims.json").write_text(json.dumps(data), encoding="utf-8")
    r = runner.invoke(app, ["eval", str(out), *rep, *common])
    assert r.exit_code == 1 and "has_citation" in r.output


def test_search_json_spans_are_sed_spans(common, root):
    r = runner.invoke(app, ["search", "ペルー 緊急警報放送", "--json", "--top-k", "5", *common])
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)["hits"]
    assert len(hits) == 5
    for h in hits:
        assert set(h) == {"doc_id", "source_file", "title", "line_start", "line_end", "heading", "text", "score"}
        sed = subprocess.run(["sed", "-n", f"{h['line_start']},{h['line_end']}p", str(root / "corpus" / "policy" / h["source_file"])],
                             capture_output=True, text=True, check=True).stdout
        assert h["text"] in sed


def test_search_batch_one_line_per_query(common, tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "a", "query": "alerta temprana Perú", "lang": "es"}\n{"id": "b", "query": "電子政府"}\n', encoding="utf-8")
    r = runner.invoke(app, ["search", "--batch", str(f), "--top-k", "3", *common])
    assert r.exit_code == 0, r.output
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert [l["id"] for l in lines] == ["a", "b"] and all(len(l["hits"]) == 3 for l in lines)


def test_bad_batch_line_names_file_and_line(common, tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "a", "query": "x"}\nnot json\n', encoding="utf-8")
    r = runner.invoke(app, ["search", "--batch", str(f), *common])
    assert r.exit_code == 2 and f"{f}:2" in r.output.replace("\n", "")


def test_search_with_unknown_lang_exits_2(common):
    r = runner.invoke(app, ["search", "x", "--lang", "de", *common])
    assert r.exit_code == 2 and "unknown language" in r.output


def test_cases_list_json_carries_sources(common, root):
    r = runner.invoke(app, ["cases", "list", "--country", "PE", "--json", "--root", str(root)])
    assert r.exit_code == 0, r.output
    cases = json.loads(r.stdout)["cases"]
    assert cases and all(c["country"] == "PE" for c in cases)
    src = cases[0]["stages"][0]["source"]
    assert set(src) == {"doc_id", "source_file", "line_start", "line_end", "quote"}
    sed = subprocess.run(["sed", "-n", f"{src['line_start']},{src['line_end']}p", str(root / "corpus" / "policy" / src["source_file"])],
                         capture_output=True, text=True, check=True).stdout
    assert src["quote"] in sed


def test_cases_list_rejects_unknown_stage_and_sector(root):
    r = runner.invoke(app, ["cases", "list", "--stage", "won", "--root", str(root)])
    assert r.exit_code == 2 and "consideration" in r.output
    r = runner.invoke(app, ["cases", "list", "--sector", "nope", "--root", str(root)])
    assert r.exit_code == 2 and "e_government" in r.output


def test_cases_show_and_unknown_id(root):
    r = runner.invoke(app, ["cases", "list", "--country", "PE", "--json", "--root", str(root)])
    first = json.loads(r.stdout)["cases"][0]["id"]
    r = runner.invoke(app, ["cases", "show", first, "--root", str(root)])
    assert r.exit_code == 0 and first in r.output and "000_8c8e251bf5ccc63e.txt" in r.output
    r = runner.invoke(app, ["cases", "show", "no-such-case", "--root", str(root)])
    assert r.exit_code == 2 and "unknown case id" in r.output


def test_karte_command_writes_a_dossier_and_refuses_to_overwrite(root, tmp_path):
    out = tmp_path / "pe.docx"
    args = ["karte", "--country", "PE", "--lang", "es", "--out", str(out), "--date", "2026-11-20", "--root", str(root)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Perú" in text and "Cronología por etapas" in text
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and "--force" in r.output
    r = runner.invoke(app, ["karte", "--country", "ZZ", "--lang", "es", "--out", str(tmp_path / "x.docx"), "--root", str(root)])
    assert r.exit_code == 2 and "unknown country" in r.output


def test_verify_single_and_batch(root, tmp_path):
    r = runner.invoke(app, ["verify", "--claim", "Perú adoptó la norma ISDB-T en 2008", "--lang", "es",
                            "--source", "000_8c8e251bf5ccc63e.txt", "--lines", "832-832", "--json", "--root", str(root)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["verdict"] == "contradicted" and any(x["anchor"] == "2008" for x in out["reasons"])
    f = tmp_path / "v.jsonl"
    f.write_text('{"id": "a", "claim": "Perú adoptó ISDB-T en 2009", "lang": "es", "source": "mic-action-plan-2020", "line_start": 832, "line_end": 832}\n'
                 '{"id": "b", "claim": "x", "lang": "es", "source": "nope.txt", "line_start": 1, "line_end": 1}\n', encoding="utf-8")
    r = runner.invoke(app, ["verify", "--batch", str(f), "--root", str(root)])
    assert r.exit_code == 0, r.output
    a, b = [json.loads(l) for l in r.stdout.splitlines()]
    assert a["verdict"] == "supported" and b["verdict"] == "unsupported" and not b["resolved"]
    r = runner.invoke(app, ["verify", "--claim", "x", "--source", PLAN_FILE, "--lines", "a-b", "--root", str(root)])
    assert r.exit_code == 2 and "A-B" in r.output


PLAN_FILE = "000_8c8e251bf5ccc63e.txt"


def test_eval_writes_json_markdown_and_junit(common, tmp_path):
    import xml.etree.ElementTree as ET

    out = tmp_path / "o"
    r = runner.invoke(app, ["generate", "--country", "VN", "--sector", "e_government", "--lang", "vi", "--out", str(out),
                            "--date", "2026-11-20", *common])
    assert r.exit_code == 0, r.output
    rep = tmp_path / "rep"
    r = runner.invoke(app, ["eval", str(out), "--json", "--junit", str(tmp_path / "j.xml"), "--report-dir", str(rep), *common])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    deck = data["decks"][0]["deck"]
    assert deck["cited_share"] == 1.0 and deck["resolved_share"] == 1.0
    assert deck["verdict_counts"]["contradicted"] == 0 and deck["verdict_counts"]["unsupported"] == 0
    assert data["model_tier"]["status"] == "skipped"
    # report.md is in the deck's language (Vietnamese here) ...
    md = (rep / "report.md").read_text(encoding="utf-8")
    assert (rep / "report.json").exists() and md.startswith("# Báo cáo độ trung thực của pitchgen") and "## Bộ slide" in md
    assert "| đầu ra | nhận định |" in md and "## Decks" not in md
    tree = ET.parse(tmp_path / "j.xml").getroot()
    assert tree.find("testsuite[@name='model-tier']/testcase/skipped") is not None
    assert int(tree.find("testsuite").get("tests")) == deck["n_claims"]
    # ... or in the language asked for
    r = runner.invoke(app, ["eval", str(out), "--lang", "es", "--report-dir", str(rep), *common])
    assert r.exit_code == 0, r.output
    md = (rep / "report.md").read_text(encoding="utf-8")
    assert "## Presentaciones" in md and "| salida | afirmaciones |" in md and "se cumplen todos los umbrales" in md


def test_pt_pt_is_selectable_and_recorded(common, tmp_path):
    outs = {}
    for lang in ("pt", "pt-PT"):
        out = tmp_path / lang
        r = runner.invoke(app, ["generate", "--country", "AO", "--sector", "broadcasting", "--lang", lang, "--out", str(out),
                                "--date", "2026-11-21", *common])
        assert r.exit_code == 0, r.output
        outs[lang] = json.loads((out / "claims.json").read_text(encoding="utf-8"))
    assert (outs["pt"]["lang"], outs["pt"]["locale"]) == ("pt", "pt_BR")
    assert (outs["pt-PT"]["lang"], outs["pt-PT"]["locale"]) == ("pt", "pt_PT")
    br = " ".join(c["text"] for c in outs["pt"]["claims"])
    pt = " ".join(c["text"] for c in outs["pt-PT"]["claims"])
    assert "financiado por meio de" in br and "financiado através de" in pt and "por meio de" not in pt
