"""Evaluation reports: JSON, Markdown and JUnit XML from deck reports and suite metrics.

JUnit layout: one ``testsuite`` per deck (a ``testcase`` per claim, failed
when the claim is contradicted, unsupported or unresolved; structural check
failures as extra failed cases), one ``faithfulness`` suite with a case per
threshold, and the model tier as a ``skipped`` case when no model is set.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from pitchgen.fsutil import atomic_write_text


def markdown(report: dict, phrases=None) -> str:
    """Markdown summary of a full report (decks, suite metrics, model tier).

    The deck part (title, table heads, verdicts, failures) is written in ``report["lang"]``
    through the gettext catalogs of ``phrases`` (:class:`pitchgen.generate.phrases.Phrases`);
    without ``phrases``, or for the claim-set and model-tier parts (CI metrics), in English.
    """
    lang = report.get("lang", "en")

    def t(key: str, **values) -> str:
        if phrases is None:
            from pitchgen.generate.messages import MESSAGES

            return MESSAGES[key].format(**values) if values else MESSAGES[key]
        return phrases.get(lang, key, **values)

    verdicts = ("supported", "unverified", "contradicted", "unsupported")
    lines = [f"# {t('report.title')}", ""]
    decks = report.get("decks", [])
    if decks:
        heads = [t("report.col.output"), t("report.col.claims"), t("report.col.cited"), t("report.col.resolved")] \
            + [t(f"verdict.{v}") for v in verdicts] + [t("report.col.ok")]
        lines += [f"## {t('report.decks')}", "", "| " + " | ".join(heads) + " |", "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for d in decks:
            m = d["deck"]
            c = m["verdict_counts"]
            lines.append(f"| {Path(d['out_dir']).name} | {m['n_claims']} | {m['cited_share']:.0%} | {m['resolved_share']:.0%} | "
                         f"{c['supported']} | {c['unverified']} | {c['contradicted']} | {c['unsupported']} | {'✓' if d['ok'] else '✗'} |")
        lines.append("")
        for d in decks:
            for f in d.get("failures", []):
                lines.append(f"- {t('report.fail')} {Path(d['out_dir']).name} {f['check']} {f['claim_id']}: {f['detail']}")
            for w in d.get("warnings", []):
                lines.append(f"- {t('report.warning')} {Path(d['out_dir']).name} {w['check']} {w['claim_id']}: {w['detail']}")
            flagged = [c for c in d.get("claims", []) if c["verdict"] != "supported"]
            if flagged:
                lines += [f"### {t('report.not_supported', deck=Path(d['out_dir']).name)}", ""]
                for c in flagged:
                    why = "; ".join(f"{r['check']} {r['anchor']}: {r['outcome']}" for r in c["reasons"] if r["outcome"] != "supported") or "-"
                    lines.append(f"- **{t('verdict.' + c['verdict'])}** {c['claim_id']}: {c['claim']} — {why}")
                lines.append("")
    suite = report.get("suite")
    if suite:
        lines += ["## Claim set", "", f"- supported claims: {suite['n_supported']}, false-positive rate: {suite['false_positive_rate']}",
                  f"- unverified on supported claims: {suite['unverified_rate_on_supported']}",
                  f"- perturbed claims: {suite['n_perturbed']}, detection rate: {suite['detection_rate']}",
                  f"- balanced accuracy: {suite['balanced_accuracy']}", ""]
        langs = sorted({lg for v in suite["detection_by_type"].values() for lg in v["by_lang"]})
        lines += ["| perturbation | n | detection | " + " | ".join(langs) + " |", "|---|---:|---:|" + "---:|" * len(langs)]
        for kind, v in suite["detection_by_type"].items():
            cells = " | ".join("" if v["by_lang"].get(lg) is None else f"{v['by_lang'][lg]:.2f}" for lg in langs)
            lines.append(f"| {kind} | {v['n']} | {v['rate']:.2f} | {cells} |")
        lines.append("")
    tier = report.get("model_tier")
    if tier:
        lines += ["## Model tier", "", f"- {tier['name']}: **{tier['status']}** {tier.get('reason', '')}".rstrip()]
        if tier.get("alce"):
            lines.append(f"- ALCE citation recall {tier['alce']['recall']}, precision {tier['alce']['precision']}")
        lines.append("")
    gates = report.get("gate_failures", [])
    lines += [f"## {t('report.gates')}", ""] + ([f"- {t('report.gate_failed')}: {g}" for g in gates] or [f"- {t('report.gates_passed')}"])
    return "\n".join(lines) + "\n"


def junit(report: dict) -> str:
    """JUnit XML of a full report."""
    root = ET.Element("testsuites", name="pitchgen-faithfulness")
    for d in report.get("decks", []):
        suite = ET.SubElement(root, "testsuite", name=f"deck:{Path(d['out_dir']).name}")
        n = fails = 0
        for c in d.get("claims", []):
            n += 1
            case = ET.SubElement(suite, "testcase", classname=Path(d["out_dir"]).name, name=c["claim_id"])
            if c["verdict"] in ("contradicted", "unsupported"):
                fails += 1
                ET.SubElement(case, "failure", message=c["verdict"]).text = c["claim"]
            elif c["verdict"] == "unverified":
                ET.SubElement(case, "system-out").text = "unverified: no anchor a deterministic check could test"
        for f in d.get("failures", []):
            n += 1
            fails += 1
            case = ET.SubElement(suite, "testcase", classname=Path(d["out_dir"]).name, name=f"{f['check']}:{f['claim_id']}")
            ET.SubElement(case, "failure", message=f["check"]).text = f["detail"]
        suite.set("tests", str(n))
        suite.set("failures", str(fails))
    if report.get("suite") is not None or report.get("gate_failures"):
        gsuite = ET.SubElement(root, "testsuite", name="faithfulness-gates")
        gates = report.get("gate_failures", [])
        case = ET.SubElement(gsuite, "testcase", classname="gates", name="thresholds")
        if gates:
            ET.SubElement(case, "failure", message="threshold").text = "\n".join(gates)
        gsuite.set("tests", "1")
        gsuite.set("failures", "1" if gates else "0")
    tier = report.get("model_tier")
    if tier:
        tsuite = ET.SubElement(root, "testsuite", name="model-tier", tests="1",
                               skipped="1" if tier["status"] == "skipped" else "0", failures="0")
        case = ET.SubElement(tsuite, "testcase", classname="model-tier", name=tier["name"])
        if tier["status"] == "skipped":
            ET.SubElement(case, "skipped", message=tier.get("reason", "no model configured"))
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_reports(report: dict, out_dir: Path, junit_path: Path | None = None, phrases=None) -> list[Path]:
    """Write report.json, report.md (in ``report["lang"]`` with ``phrases``, see :func:`markdown`) and
    JUnit XML atomically. Returns the paths written."""
    out_dir = Path(out_dir)
    paths = [out_dir / "report.json", out_dir / "report.md"]
    atomic_write_text(paths[0], json.dumps(report, ensure_ascii=False, indent=2))
    atomic_write_text(paths[1], markdown(report, phrases))
    if junit_path is not None:
        atomic_write_text(Path(junit_path), junit(report))
        paths.append(Path(junit_path))
    return paths
