"""The gettext catalogs in ``locales/`` and :class:`pitchgen.generate.phrases.Phrases` on top of them.

Order: constructor defaults and bad values; round trip (catalogs compiled to a
tmp dir with babel's Python API, ``.po`` alone, ``.mo`` vs ``.po`` freshness,
the strings ``templates/phrases.yaml`` gave); edge cases (unknown key,
untranslated and fuzzy entries, Japanese and mixed scripts); a sweep over every
catalog locale; an integration run through ``pitchgen.app``.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from pitchgen.errors import LocaleError, TemplateError
from pitchgen.generate import messages
from pitchgen.generate.messages import MESSAGES, PLURALS
from pitchgen.generate.phrases import DOMAIN, LABEL_NAMES, Phrases, catalog_file, format_event_date

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
CATALOG_LOCALES = ("vi", "es", "pt_BR", "pt_PT", "en", "ja")
LANG_OF = {"vi": "vi", "es": "es", "pt_BR": "pt", "pt_PT": "pt", "en": "en", "ja": "ja"}
NPLURALS = {"vi": 1, "ja": 1, "es": 2, "en": 2, "pt_BR": 2, "pt_PT": 2}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
KEYWORDS = {"pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}  # as in locales/README.md

PT_PT_KEYS = {
    "karte.title", "empty", "brief.summary", "event.adopted", "event.broadcast_start", "event.training",
    "event.training_n", "event.oda", "event.oda_signing", "event.workshop", "level.summit", "level.ministerial",
    "level.vice_ministerial", "level.director", "scope.global",
    "claim.financed", "report.col.resolved", "notes.llm_fallback",
}
"""Keys whose pt_PT text differs from pt_BR (listed in locales/README.md)."""


def po_path(base: Path, locale: str, suffix: str = "po") -> Path:
    return base / locale / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


def read_catalog(locale: str, base: Path = LOCALES) -> Catalog:
    with po_path(base, locale).open("rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog)


def compile_catalogs(dst: Path) -> Path:
    """Compile every ``locales/*.po`` to ``dst/<locale>/LC_MESSAGES/pitchgen.mo`` (no .po copied)."""
    for locale in CATALOG_LOCALES:
        mo = po_path(dst, locale, "mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as f:
            write_mo(f, read_catalog(locale))
    return dst


def copy_po(dst: Path, locales=CATALOG_LOCALES) -> Path:
    """Copy the ``.po`` files only."""
    for locale in locales:
        po_path(dst, locale).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(po_path(LOCALES, locale), po_path(dst, locale))
    return dst


def phrases_for(base: Path, locale: str) -> Phrases:
    return Phrases(base, pt_variant=locale if locale.startswith("pt_") else "pt_BR")


def render(p: Phrases, lang: str, key: str, n: int = 2) -> str:
    """``key`` with every placeholder filled by ``<name>`` and ``n`` (passed always, as callers do)."""
    english = MESSAGES[key] + "".join(PLURALS.get(key, ()))
    values: dict[str, object] = {name: f"<{name}>" for name in PLACEHOLDER.findall(english)}
    values["n"] = n
    return p.get(lang, key, **values)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    """The catalogs compiled to .mo in a tmp dir, with no .po beside them."""
    return compile_catalogs(tmp_path_factory.mktemp("mo"))


@pytest.fixture(scope="module")
def phrases(compiled) -> Phrases:
    return Phrases(compiled)


YAML_SNAPSHOT: dict[str, dict[str, str]] = {
    "karte.title": {
        "ja": "{country}：ICT協力の事例（国別カルテ）",
        "vi": "{country}: các trường hợp hợp tác CNTT (hồ sơ quốc gia)",
        "es": "{country}: casos de cooperación en TIC (expediente por país)",
        "en": "{country}: ICT cooperation cases (country dossier)",
        "pt": "{country}: casos de cooperação em TIC (dossiê do país)",
    },
    "karte.none": {
        "ja": "{country}の事例はコーパスにありません。",
        "vi": "Kho tài liệu chưa có trường hợp nào tại {country}.",
        "es": "El corpus no contiene casos en {country}.",
        "en": "The corpus has no case in {country}.",
        "pt": "O corpus não contém casos em {country}.",
    },
    "fin.jica_grant_aid": {
        "ja": "無償資金協力",
        "vi": "Viện trợ không hoàn lại",
        "es": "Cooperación financiera no reembolsable",
        "en": "Grant aid",
        "pt": "Cooperação financeira não reembolsável",
    },
    "fin.jbic": {
        "ja": "国際協力銀行（JBIC）",
        "vi": "Ngân hàng Hợp tác Quốc tế Nhật Bản (JBIC)",
        "es": "Banco Japonés de Cooperación Internacional (JBIC)",
        "en": "Japan Bank for International Cooperation (JBIC)",
        "pt": "Banco Japonês para Cooperação Internacional (JBIC)",
    },
    "sdg.abbr": {
        "ja": "SDG",
        "vi": "SDG",
        "es": "ODS",
        "en": "SDG",
        "pt": "ODS",
    },
    "slide.title": {
        "ja": "{sector}：{country}との協力提案",
        "vi": "{sector}: đề xuất hợp tác với {country}",
        "es": "{sector}: propuesta de cooperación con {country}",
        "en": "{sector}: a cooperation proposal for {country}",
        "pt": "{sector}: proposta de cooperação com {country}",
    },
    "slide.challenge": {
        "ja": "{country}の課題",
        "vi": "Thách thức của {country}",
        "es": "El desafío de {country}",
        "en": "{country}'s challenge",
        "pt": "O desafio de {country}",
    },
    "slide.chain": {
        "ja": "アウトプット → アウトカム → SDGターゲット",
        "vi": "Đầu ra → Kết quả → Mục tiêu SDG",
        "es": "Producto → Resultado → Meta de los ODS",
        "en": "Output → Outcome → SDG target",
        "pt": "Produto → Resultado → Meta dos ODS",
    },
    "col.outcome": {
        "ja": "アウトカム",
        "vi": "Kết quả",
        "es": "Resultado",
        "en": "Outcome",
        "pt": "Resultado",
    },
    "stage.agreement": {
        "ja": "覚書・協議",
        "vi": "Bản ghi nhớ, tham vấn",
        "es": "Memorando y diálogo",
        "en": "MoU and talks",
        "pt": "Memorando e diálogo",
    },
    "scope.none": {
        "ja": "{country}の事例はコーパスにありません。地域・他地域の事例を示します。",
        "vi": "Kho tài liệu chưa có trường hợp nào tại {country}; dưới đây là các trường hợp trong khu vực và trên thế giới.",
        "es": "El corpus no contiene casos en {country}; se muestran casos regionales y de otras regiones.",
        "en": "The corpus has no case in {country}; regional and global cases are shown instead.",
        "pt": "O corpus não contém casos em {country}; são mostrados casos regionais e de outras regiões.",
    },
    "empty": {
        "ja": "この項目を裏付ける根拠はコーパスにありません。",
        "vi": "Kho tài liệu chưa có bằng chứng cho mục này.",
        "es": "El corpus no contiene evidencia para este apartado.",
        "en": "The corpus holds no evidence for this section.",
        "pt": "O corpus não contém evidências para esta seção.",
    },
    "notes.sdg_source": {
        "ja": "SDGターゲット・指標の文言：国連公式文書（A/RES/70/1、open-sdg）、日本語は外務省仮訳。",
        "vi": "Văn bản mục tiêu và chỉ số SDG: văn kiện chính thức của Liên Hợp Quốc (A/RES/70/1, open-sdg); chưa có bản tiếng Việt chính thức nên dùng bản tiếng Anh.",
        "es": "Texto de metas e indicadores de los ODS: documento oficial de la ONU (A/RES/70/1, open-sdg).",
        "en": "SDG target and indicator wording: official UN text (A/RES/70/1, open-sdg).",
        "pt": "Texto das metas e indicadores dos ODS: documento oficial da ONU (A/RES/70/1, open-sdg); sem versão oficial em português no corpus, usa-se o inglês.",
    },
    "brief.summary": {
        "ja": "{country}に対し、{sector}分野での協力を、過去の事例と根拠文書に基づいて提案する。主張はすべて出典付きである。",
        "vi": "Tài liệu này đề xuất hợp tác với {country} trong lĩnh vực {sector}, dựa trên các trường hợp trước đây và văn bản chính sách của Nhật Bản. Mọi nhận định đều có dẫn nguồn.",
        "es": "Este documento propone a {country} una cooperación en {sector}, basada en casos anteriores y en documentos de política de Japón. Cada afirmación indica su fuente.",
        "en": "This brief proposes cooperation with {country} in {sector}, based on past cases and Japanese policy documents. Every claim cites its source.",
        "pt": "Este documento propõe uma cooperação com {country} em {sector}, com base em casos anteriores e em documentos de política do Japão. Cada afirmação indica sua fonte.",
    },
    "date.fiscal": {
        "ja": "{year}年度",
        "vi": "năm tài khóa {year}",
        "es": "año fiscal {year}",
        "en": "FY{year}",
        "pt": "ano fiscal {year}",
    },
    "event.mou": {
        "ja": "協力覚書に署名",
        "vi": "ký bản ghi nhớ hợp tác",
        "es": "firma de un memorando de cooperación",
        "en": "memorandum of cooperation signed",
        "pt": "assinatura de memorando de cooperação",
    },
    "event.training_n": {
        "ja": "延べ{n}名に研修を実施",
        "vi": "đào tạo tổng cộng {n} lượt người",
        "es": "capacitación de {n} personas en total",
        "en": "training for {n} people in total",
        "pt": "treinamento de {n} pessoas no total",
    },
    "level.summit": {
        "ja": "（首脳レベル）",
        "vi": " (cấp lãnh đạo cao nhất)",
        "es": " (a nivel de jefes de gobierno)",
        "en": " (summit level)",
        "pt": " (em nível de chefes de governo)",
    },
    "arrow": {
        "ja": " → ",
        "vi": " → ",
        "es": " → ",
        "en": " → ",
        "pt": " → ",
    },
}
LABELS_SNAPSHOT: dict[str, dict[str, str]] = {
    "ja": {
        "summary": "概要",
        "logframe": "ロジカル・フレームワーク",
        "output": "アウトプット",
        "outcome": "アウトカム",
        "impact": "インパクト",
        "sdg_target": "SDGターゲット",
        "indicator": "指標",
        "evidence": "根拠",
        "references": "参考文献",
        "lines_label": "行",
        "generated_label": "作成日",
        "unverified": "（要確認：自動検証不可）",
        "scope_note": "事例の選定",
    },
    "vi": {
        "summary": "Tóm tắt",
        "logframe": "Khung logic",
        "output": "Đầu ra",
        "outcome": "Kết quả",
        "impact": "Tác động",
        "sdg_target": "Mục tiêu SDG",
        "indicator": "Chỉ số",
        "evidence": "Bằng chứng",
        "references": "Tài liệu tham khảo",
        "lines_label": "dòng",
        "generated_label": "Ngày lập",
        "unverified": "(cần kiểm tra: chưa xác minh tự động)",
        "scope_note": "Cách chọn trường hợp",
    },
    "es": {
        "summary": "Resumen",
        "logframe": "Marco lógico",
        "output": "Producto",
        "outcome": "Resultado",
        "impact": "Impacto",
        "sdg_target": "Meta de los ODS",
        "indicator": "Indicador",
        "evidence": "Evidencia",
        "references": "Referencias",
        "lines_label": "líneas",
        "generated_label": "Fecha",
        "unverified": "(revisar: sin verificación automática)",
        "scope_note": "Selección de casos",
    },
    "en": {
        "summary": "Summary",
        "logframe": "Logical framework",
        "output": "Output",
        "outcome": "Outcome",
        "impact": "Impact",
        "sdg_target": "SDG target",
        "indicator": "Indicator",
        "evidence": "Evidence",
        "references": "References",
        "lines_label": "lines",
        "generated_label": "Date",
        "unverified": "(check: not verified automatically)",
        "scope_note": "Case selection",
    },
    "pt": {
        "summary": "Resumo",
        "logframe": "Quadro lógico",
        "output": "Produto",
        "outcome": "Resultado",
        "impact": "Impacto",
        "sdg_target": "Meta dos ODS",
        "indicator": "Indicador",
        "evidence": "Evidência",
        "references": "Referências",
        "lines_label": "linhas",
        "generated_label": "Data",
        "unverified": "(verificar: sem verificação automática)",
        "scope_note": "Seleção de casos",
    },
}


# --- constructor: defaults and bad values ---------------------------------------------------------------------


def test_default_pt_variant_is_brazilian():
    p = Phrases(LOCALES)
    assert p.pt_variant == "pt_BR"
    assert [p.locale(lang) for lang in ("ja", "vi", "es", "en", "pt")] == ["ja", "vi", "es", "en", "pt_BR"]
    assert Phrases(LOCALES, pt_variant="pt_PT").locale("pt") == "pt_PT"


def test_bad_pt_variant_raises():
    with pytest.raises(LocaleError, match="pt_BR, pt_PT"):
        Phrases(LOCALES, pt_variant="pt")  # type: ignore[arg-type]


def test_missing_folder_raises(tmp_path):
    with pytest.raises(TemplateError, match="catalog folder missing"):
        Phrases(tmp_path / "nope")


def test_old_yaml_path_resolves_to_locales():
    """``Phrases(root / "templates" / "phrases.yaml")`` (pitchgen.app) reads ``root / "locales"``."""
    p = Phrases(ROOT / "templates" / "phrases.yaml")
    assert p.locales_dir == ROOT / "locales"
    assert p.get("en", "slide.next_steps") == "Next steps"


def test_constructor_loads_nothing(tmp_path):
    p = Phrases(tmp_path)  # an empty folder: construction is cheap and lazy
    with pytest.raises(TemplateError, match="no catalog for locale vi") as exc:
        p.get("vi", "karte.year")
    assert "pybabel init" in str(exc.value)


# --- round trip -----------------------------------------------------------------------------------------------


def test_compiled_catalogs_are_used(compiled, phrases):
    phrases.warm_up()
    assert all(catalog_file(compiled, loc).suffix == ".mo" for loc in CATALOG_LOCALES)
    assert phrases.get("vi", "karte.year") == "Năm"


def test_po_alone_gives_the_same_text(tmp_path, phrases):
    base = copy_po(tmp_path)
    assert not list(base.rglob("*.mo"))
    from_po = Phrases(base)
    assert all(catalog_file(base, loc).suffix == ".po" for loc in CATALOG_LOCALES)
    for lang in ("ja", "vi", "es", "en", "pt"):
        for key in MESSAGES:
            for n in (1, 3):
                assert render(from_po, lang, key, n) == render(phrases, lang, key, n), (lang, key, n)


def test_mo_is_preferred_only_when_not_older_than_po(tmp_path):
    base = copy_po(tmp_path, ["es"])
    mo = po_path(base, "es", "mo")
    cat = read_catalog("es")
    cat.get("Year", context="karte.year").string = "Año (mo)"
    with mo.open("wb") as f:
        write_mo(f, cat)
    po = po_path(base, "es")
    os.utime(po, (1_000_000_000, 1_000_000_000))
    assert Phrases(base).get("es", "karte.year") == "Año (mo)"
    os.utime(mo, (900_000_000, 900_000_000))  # a stale .mo: the edited .po wins
    assert catalog_file(base, "es") == po
    assert Phrases(base).get("es", "karte.year") == "Año"


@pytest.mark.parametrize("lang", ["ja", "vi", "es", "en", "pt"])
@pytest.mark.parametrize("key", sorted(YAML_SNAPSHOT))
def test_same_text_as_phrases_yaml(phrases, key, lang):
    assert phrases.get(lang, key) == YAML_SNAPSHOT[key][lang]


@pytest.mark.parametrize("lang", ["ja", "vi", "es", "en", "pt"])
def test_labels_same_as_phrases_yaml(phrases, lang):
    labels = phrases.labels(lang)
    assert labels == LABELS_SNAPSHOT[lang]
    assert tuple(labels) == LABEL_NAMES


def test_filled_placeholders(phrases):
    assert phrases.get("es", "slide.title", sector="Gobierno electrónico", country="Perú") == \
        "Gobierno electrónico: propuesta de cooperación con Perú"
    assert phrases.get("ja", "date.fiscal", year=2018) == "2018年度"
    assert phrases.get("en", "date.fiscal", year=2018) == "FY2018"


def test_pot_matches_messages_module():
    """The POT was extracted from the current messages.py and every PO holds exactly its messages."""
    extracted = {ctx: msg for _, msg, _, ctx in extract_from_file("python", messages.__file__, keywords=KEYWORDS)}
    assert extracted == {**MESSAGES, **PLURALS}
    with (LOCALES / "pitchgen.pot").open("rb") as f:
        pot = {m.context: m.id for m in read_po(f) if m.id}
    assert pot == {k: PLURALS.get(k, v) for k, v in MESSAGES.items()}
    for locale in CATALOG_LOCALES:
        cat = read_catalog(locale)
        assert {m.context: m.id for m in cat if m.id} == pot, locale
        assert not cat.obsolete, locale


def test_no_compiled_catalogs_in_the_repo():
    """.mo files are built by ``pybabel compile`` (make), never committed: git ignores them and tracks none."""
    import subprocess

    tracked = subprocess.run(["git", "ls-files", "locales"], cwd=LOCALES.parent, capture_output=True, text=True).stdout
    assert ".mo" not in tracked
    assert "locales/**/*.mo" in (LOCALES.parent / ".gitignore").read_text(encoding="utf-8")


# --- edge cases -----------------------------------------------------------------------------------------------


def test_unknown_key_raises_naming_it(phrases):
    with pytest.raises(LocaleError, match="slide.nope") as exc:
        phrases.get("en", "slide.nope")
    assert "messages.py" in str(exc.value)


def test_unknown_language_raises(phrases):
    with pytest.raises(LocaleError, match="Valid values: ja, vi, es, en, pt"):
        phrases.get("fr", "karte.year")  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [None, "3", True])
def test_counted_message_needs_integer_n(phrases, n):
    with pytest.raises(LocaleError, match="needs an integer n"):
        phrases.get("en", "scope.global", n=n)


def test_without_values_text_is_unformatted(phrases):
    assert phrases.get("ja", "karte.none") == "{country}の事例はコーパスにありません。"


def test_untranslated_and_fuzzy_fall_back_to_english(tmp_path):
    base = copy_po(tmp_path, ["vi", "en"])
    cat = read_catalog("vi", base)
    cat.get("Year", context="karte.year").string = ""
    cat.get("Source", context="karte.source").flags.add("fuzzy")
    cat.get(PLURALS["scope.global"][0], context="scope.global").string = ("",)
    write_catalog(cat, po_path(base, "vi"))
    p = Phrases(base)
    assert p.missing("vi") == ("karte.source", "karte.year", "scope.global")
    assert p.get("vi", "karte.year") == "Year"
    assert p.get("vi", "karte.source") == "Source"
    assert p.get("vi", "scope.global", n=2) == "2 same-sector cases in other regions"
    assert p.missing("en") == ()


def test_japanese_and_mixed_scripts(phrases):
    text = phrases.get("ja", "claim.event", country="ベトナム", field="電子政府 (e-Government)", date="2018年度",
                       event=phrases.get("ja", "event.mou"))
    assert text == "ベトナム（電子政府 (e-Government)）、2018年度：協力覚書に署名"
    assert phrases.get("vi", "claim.pathway", country="Việt Nam", field="CNTT", steps=phrases.get("vi", "arrow").join(
        ["Xem xét", "ký bản ghi nhớ"])) == "Việt Nam (CNTT): Xem xét → ký bản ghi nhớ"


# --- sweep over every catalog locale --------------------------------------------------------------------------


@pytest.mark.parametrize("locale", CATALOG_LOCALES)
def test_every_key_translated(compiled, locale):
    cat = read_catalog(locale)
    assert cat.num_plurals == NPLURALS[locale]
    assert list(cat.check()) == []
    for m in cat:
        if not m.id:
            continue
        forms = m.string if m.pluralizable else (m.string,)
        assert len(forms) == (cat.num_plurals if m.pluralizable else 1), (locale, m.context)
        assert all(f.strip() for f in forms), (locale, m.context)
        assert not m.fuzzy, (locale, m.context)
    assert phrases_for(compiled, locale).missing(LANG_OF[locale]) == ()


@pytest.mark.parametrize("locale", CATALOG_LOCALES)
def test_placeholders_kept(locale):
    for m in read_catalog(locale):
        if not m.id:
            continue
        ids = m.id if m.pluralizable else (m.id,)
        english = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for form in m.string if m.pluralizable else (m.string,):
            assert set(PLACEHOLDER.findall(form)) == english, (locale, m.context, form)


def test_en_catalog_is_the_source():
    for m in read_catalog("en"):
        if m.id:
            assert m.string == m.id, m.context


SCOPE_PARTNER = {
    "en": ("1 case in Peru", "3 cases in Peru"),
    "es": ("1 caso en Perú", "3 casos en Perú"),
    "pt_BR": ("1 caso em Moçambique", "3 casos em Moçambique"),
    "pt_PT": ("1 caso em Moçambique", "3 casos em Moçambique"),
    "vi": ("Trường hợp tại Việt Nam: 1", "Trường hợp tại Việt Nam: 3"),
    "ja": ("ベトナムの事例：1件", "ベトナムの事例：3件"),
}
COUNTRY = {"en": "Peru", "es": "Perú", "pt_BR": "Moçambique", "pt_PT": "Moçambique", "vi": "Việt Nam", "ja": "ベトナム"}


@pytest.mark.parametrize("locale", CATALOG_LOCALES)
def test_scope_partner_plural_forms(compiled, locale):
    p = phrases_for(compiled, locale)
    one, three = (p.get(LANG_OF[locale], "scope.partner", country=COUNTRY[locale], n=n) for n in (1, 3))
    assert (one, three) == SCOPE_PARTNER[locale]
    if NPLURALS[locale] == 1:
        assert one.replace("1", "3") == three  # one form for every count
    else:
        assert one.replace("1", "3") != three  # singular and plural differ


@pytest.mark.parametrize("locale", ["es", "en", "pt_BR", "pt_PT"])
@pytest.mark.parametrize("key", sorted(PLURALS))
def test_every_counted_message_has_two_forms(compiled, locale, key):
    p = phrases_for(compiled, locale)
    one, two = render(p, LANG_OF[locale], key, 1), render(p, LANG_OF[locale], key, 2)
    assert one.replace("1", "2") != two  # not just the number: the wording changes


def test_pt_pt_differs_from_pt_br_only_where_listed(compiled):
    br, pt = Phrases(compiled), Phrases(compiled, pt_variant="pt_PT")
    differ = {k for k in MESSAGES if any(render(br, "pt", k, n) != render(pt, "pt", k, n) for n in (1, 2))}
    assert differ == PT_PT_KEYS
    assert pt.get("pt", "event.training_n", n=12) == "formação de 12 pessoas no total"
    assert pt.get("pt", "level.ministerial") == " (ao nível ministerial)"


# --- integration ----------------------------------------------------------------------------------------------


def test_app_resources_read_the_catalogs(tmp_path):
    """pitchgen.app still passes ``templates/phrases.yaml``; the catalogs are found next to it."""
    from pitchgen.app import Config, Resources

    res = Resources(Config(root=ROOT, cache_dir=tmp_path))
    assert res.phrases.labels("pt")["scope_note"] == "Seleção de casos"
    assert format_event_date(res.phrases, "ja", 2018, None, 2019, True) == "2018年度～2019年度"
    assert format_event_date(res.phrases, "en", 2018, None, None, True) == "FY2018"
