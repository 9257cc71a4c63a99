"""pitchgen.toml < environment < flags; secrets never printed."""

import pytest

from pitchgen.errors import UsageError
from pitchgen.settings import resolve, show


def test_defaults(tmp_path):
    s = resolve(tmp_path, {}, {}, user_file=tmp_path / "none.toml")
    assert s["index.embedding_model"].value == "packaged:all-minilm-l6-v2" and s["index.embedding_model"].source == "default"
    assert s["llm.backend"].value == "template" and s["index.rrf_k"].value == 10


def test_precedence_user_project_env_flag(tmp_path):
    user = tmp_path / "user.toml"
    user.write_text('[index]\nembedding_model = "user-model"\nrrf_k = 60\n[llm]\nbackend = "openai"\n', encoding="utf-8")
    (tmp_path / "pitchgen.toml").write_text('[index]\nembedding_model = "project-model"\n', encoding="utf-8")
    s = resolve(tmp_path, {}, {}, user_file=user)
    assert s["index.embedding_model"].value == "project-model" and s["index.rrf_k"].value == 60
    assert s["llm.backend"].value == "openai" and "user file" in s["llm.backend"].source
    s = resolve(tmp_path, {"PITCHGEN_EMBEDDING_MODEL": "env-model"}, {}, user_file=user)
    assert s["index.embedding_model"].value == "env-model" and s["index.embedding_model"].source == "environment"
    s = resolve(tmp_path, {"PITCHGEN_EMBEDDING_MODEL": "env-model"}, {"index.embedding_model": "flag-model"}, user_file=user)
    assert s["index.embedding_model"].value == "flag-model" and s["index.embedding_model"].source == "flag"


def test_bad_files_and_values_name_the_file(tmp_path):
    (tmp_path / "pitchgen.toml").write_text("[index\n", encoding="utf-8")
    with pytest.raises(UsageError, match="pitchgen.toml"):
        resolve(tmp_path, {}, {}, user_file=tmp_path / "none.toml")
    (tmp_path / "pitchgen.toml").write_text('[index]\nembeding_model = "x"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="unknown setting 'index.embeding_model'"):
        resolve(tmp_path, {}, {}, user_file=tmp_path / "none.toml")
    (tmp_path / "pitchgen.toml").unlink()
    with pytest.raises(UsageError, match="not a int"):
        resolve(tmp_path, {"PITCHGEN_RRF_K": "sixty"}, {}, user_file=tmp_path / "none.toml")
    with pytest.raises(UsageError, match="template, transformers, openai"):
        resolve(tmp_path, {"PITCHGEN_LLM_BACKEND": "gpt"}, {}, user_file=tmp_path / "none.toml")


def test_show_masks_the_key(tmp_path):
    s = resolve(tmp_path, {"PITCHGEN_LLM_API_KEY_ENV": "MY_KEY"}, {}, user_file=tmp_path / "none.toml")
    text = show(s, {"MY_KEY": "sk-very-secret"})
    assert "MY_KEY (set, value hidden)" in text and "sk-very-secret" not in text
    assert "MY_KEY (unset" in show(s, {})
