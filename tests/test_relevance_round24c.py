"""Round 24c: ``bench/train_second_opinion.py --folds`` scores each item with the rules once and
finds each model's candidates once, then applies every threshold pair as a filter.  That filter
must give ``evaluate``'s figures for a model at those thresholds, or the fold table would choose
thresholds on figures the scorer never produces.  Invented sentences only."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from kzwatch.relevance import load_claims
from kzwatch.relevance.evaluation import evaluate
from kzwatch.relevance.learned import claim_key, exemplar_records, from_records

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = load_claims((ROOT / "src/kzwatch/data/claims.toml").read_text(encoding="utf-8"),
                     "beimenbetov-2021")
EXEMPLARS = [
    {"id": "ex-c1", "lang": "ru",
     "title": "Почти две трети избирателей Казахстана пришли на выборы в Мажилис",
     "text": "По данным ЦИК, на участки пришли почти две трети избирателей Казахстана, "
             "голосовавших за депутатов Мажилиса.", "claims": ["C1"]},
    {"id": "ex-none", "lang": "ru", "title": "В Алматы открылся новый парк",
     "text": "Акимат Алматы открыл парк у реки, где посадили тысячу деревьев.", "claims": []},
]
ROWS = [  # a paraphrase the rules miss (labelled C1), a near-miss, an unrelated item
    {"id": "p1", "lang": "ru", "claims": ["C1"], "stance": {"C1": "mentions"},
     "title": "Две трети граждан Казахстана пришли голосовать",
     "text": "Почти две трети граждан Казахстана пришли на участки, чтобы выбрать депутатов "
             "Мажилиса."},
    {"id": "n1", "lang": "ru", "claims": [],
     "title": "Две трети избирателей Кыргызстана пришли голосовать",
     "text": "Почти две трети избирателей Кыргызстана пришли на участки, чтобы выбрать "
             "депутатов Жогорку Кенеша."},
    {"id": "n2", "lang": "ru", "claims": [], "title": "В Алматы открылся новый сквер",
     "text": "Акимат открыл сквер у реки."},
]


def _script():
    bench = ROOT / "bench"
    sys.path.insert(0, str(bench))  # it imports score_real_texts, as `python bench/...` does
    try:
        spec = importlib.util.spec_from_file_location("train_second_opinion",
                                                      bench / "train_second_opinion.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclass looks its module up while it is made
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(bench))
        sys.modules.pop("train_second_opinion", None)
    return module


def test_a_threshold_pair_applied_as_a_filter_gives_evaluates_figures():
    script = _script()
    keys = [claim_key(c) for c in CLAIMS]
    candidates = script._Candidates(exemplar_records(EXEMPLARS), keys)
    scored = script.rules_pass(ROWS, CLAIMS)
    found = [candidates.candidates(s, CLAIMS) for s in scored]
    recalls = set()
    for min_similarity, margin in [(0.0, 0.0), (0.35, 0.08), (0.35, 0.99), (0.99, 0.0)]:
        model = from_records(exemplar_records(EXEMPLARS), keys, min_similarity=min_similarity,
                             margin=margin)
        want = evaluate(ROWS, CLAIMS, second_opinion=model)["all"]
        got = script.tally(scored, found, CLAIMS, min_similarity, margin)
        assert (got["item P"], got["item R"], got["claim P"], got["claim R"], got["stance"]) == (
            want["item_precision"], want["item_recall"], want["claim_precision"],
            want["claim_recall"], want["stance_accuracy"]), (min_similarity, margin)
        assert got["near-miss"] == f"{round(want['near_miss_flagged'] * 2)} of 2"
        recalls.add(got["item R"])
    assert recalls == {0.0, 1.0}  # the thresholds decide: the paraphrase is found, then not
