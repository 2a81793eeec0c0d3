"""``evaluation.error_kinds``: each evaluation error split into one row per (item, claim)."""

from kzwatch.relevance.evaluation import error_kinds, outcome_matrix


def test_a_flagged_near_miss_gives_one_row_per_claim_it_got():
    errors = [{"id": "n1", "want": [], "got": ["C1", "C4"], "stance": {}, "want_stance": {}}]
    assert error_kinds(errors) == [("near-miss flagged", "C1", "", "n1"),
                                   ("near-miss flagged", "C4", "", "n1")]


def test_an_item_with_no_claim_is_missed_with_each_wanted_stance():
    errors = [{"id": "m1", "want": ["C2", "C3"], "got": [], "stance": {},
               "want_stance": {"C2": "mentions", "C3": "confirms"}}]
    assert error_kinds(errors) == [("item missed", "C2", "mentions", "m1"),
                                   ("item missed", "C3", "confirms", "m1")]


def test_a_found_item_reports_missed_added_and_wrong_stance_claims_apart():
    errors = [{"id": "f1", "want": ["C1", "C2"], "got": ["C1", "C4"],
               "stance": {"C1": ("confirms", "contradicts")},
               "want_stance": {"C1": "contradicts", "C2": "updates"}}]
    assert error_kinds(errors) == [("claim missed", "C2", "updates", "f1"),
                                   ("claim added", "C4", "", "f1"),
                                   ("stance", "C1", "contradicts -> confirms", "f1")]


def test_errors_from_before_want_stance_was_kept_still_classify():
    errors = [{"id": "o1", "want": ["C5"], "got": [], "stance": {}}]
    assert error_kinds(errors) == [("item missed", "C5", "", "o1")]


def test_the_outcome_matrix_counts_misses_and_swaps_by_wanted_stance_and_leaves_extras_out():
    rows = [("item missed", "C2", "mentions", "a"), ("claim missed", "C1", "mentions", "b"),
            ("stance", "C4", "contradicts -> confirms", "c"),
            ("stance", "C1", "contradicts -> confirms", "d"),
            ("claim missed", "C5", "", "e"),
            ("claim added", "C4", "", "f"), ("near-miss flagged", "C1", "", "g")]
    matrix = outcome_matrix(rows)
    assert set(matrix) == {"mentions", "contradicts", "?"}
    assert matrix["mentions"] == {"not found": 2, "confirms": 0, "updates": 0,
                                  "contradicts": 0, "mentions": 0}
    assert matrix["contradicts"]["confirms"] == 2 and sum(matrix["contradicts"].values()) == 2
    assert matrix["?"]["not found"] == 1


def _error_kinds_script():
    import importlib.util
    import sys
    from pathlib import Path

    bench = Path(__file__).resolve().parents[1] / "bench"
    sys.path.insert(0, str(bench))  # it imports score_real_texts, as `python bench/...` does
    try:
        spec = importlib.util.spec_from_file_location("error_kinds", bench / "error_kinds.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(bench))
    return module


def test_the_script_counts_a_written_sets_errors_by_kind(tmp_path, capsys):
    labels = tmp_path / "labelled_items_mine.toml"
    labels.write_text('''
[[item]]
id = "k1"
lang = "ru"
date = "2021-01-11"
title = "Явка на выборах в Мажилис"
text = "ЦИК: явка на выборах в Мажилис 10 января 2021 года составила 63,3 процента."
claims = []
stance = {}

[[item]]
id = "k2"
lang = "ru"
date = "2021-01-11"
title = "Погода в столице"
text = "В столице ожидается снег и небольшой мороз."
claims = ["C5"]
stance = { C5 = "mentions" }
''', encoding="utf-8")
    assert _error_kinds_script().main(["--set", str(labels), "--notes"]) == 0
    out = capsys.readouterr().out
    assert "on 1 sets: mine" in out
    matrix = {line.split()[0]: line.split()[1:] for line in out.splitlines()
              if line.startswith("  mentions")}
    assert matrix == {"mentions": ["1", "0", "0", "0", "0"]}  # C5 wanted, not found
    assert any(line.split()[:4] == ["near-miss", "flagged", "C1", "1"] for line in out.splitlines())
    assert any(line.split()[:5] == ["item", "missed", "C5", "mentions", "1"]
               for line in out.splitlines())
    assert "k2: Погода в столице" in out


def test_the_script_needs_a_set(capsys):
    import pytest

    with pytest.raises(SystemExit):
        _error_kinds_script().main([])
    assert "name at least one --set" in capsys.readouterr().err
