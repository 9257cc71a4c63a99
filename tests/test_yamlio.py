"""JSON-lines reading: file:line errors for every kind of bad line, blank lines skipped."""

import pytest

from pitchgen.errors import CorpusError, UsageError
from pitchgen.yamlio import json_lines


def test_good_lines_with_their_numbers(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "a", "query": "防災"}\n\n{"id": "b", "query": "x"}\n', encoding="utf-8")
    assert json_lines(f, "batch line", "fix", required=("id",)) == [(1, {"id": "a", "query": "防災"}), (3, {"id": "b", "query": "x"})]


@pytest.mark.parametrize("second,message", [("not json", "bad batch line"), ("[1, 2]", "not a JSON object"),
                                            ('{"id": "b"}', "missing 'query'")])
def test_bad_line_names_file_and_line(tmp_path, second, message):
    f = tmp_path / "q.jsonl"
    f.write_text('{"id": "a", "query": "x"}\n' + second + "\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        json_lines(f, "batch line", "write one object per line", required=("id", "query"), error=UsageError)
    assert err.value.line == 2 and message in str(err.value) and str(f) in str(err.value)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        json_lines(tmp_path / "none.jsonl", "claim-set line", "fix")
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="has no claim-set lines"):
        json_lines(tmp_path / "empty.jsonl", "claim-set line", "fix")
