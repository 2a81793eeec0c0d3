"""The learned second opinion (kzwatch.relevance.learned): it adds a claim the rules missed on a
paraphrase of an exemplar, never past the rules' vetoes or for another article's claims, and
``explain`` says why.  Exemplars here are tiny invented texts, not the packaged model."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from kzwatch.discovery.settings import DiscoverySettings
from kzwatch.model import FeedItem
from kzwatch.relevance import load_claims, score_item, second_opinion_model
from kzwatch.relevance.explain import explain_item, format_explanation
from kzwatch.relevance.learned import claim_key, exemplar_records, from_records, load, packaged
from kzwatch.relevance.scoring import prepare, veto

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
PARAPHRASE = FeedItem(url="https://example.test/1", lang="ru",
                      title="Две трети граждан Казахстана пришли голосовать",
                      # "граждан", not "избирателей": "пришли & избирателей" is a rules anchor
                      text="Почти две трети граждан Казахстана пришли на участки, чтобы "
                           "выбрать депутатов Мажилиса.")
KYRGYZ = FeedItem(url="https://example.test/2", lang="ru",
                  title="Две трети избирателей Кыргызстана пришли голосовать",
                  text="Почти две трети избирателей Кыргызстана пришли на участки, чтобы "
                       "выбрать депутатов Жогорку Кенеша.")


def _model(claims=CLAIMS, min_similarity=0.35, margin=0.08):
    return from_records(exemplar_records(EXEMPLARS), [claim_key(c) for c in claims],
                        min_similarity=min_similarity, margin=margin)


def test_adds_a_claim_the_rules_missed_with_the_rules_stance_and_its_exemplar():
    assert score_item(PARAPHRASE, CLAIMS) == []  # the rules alone miss the paraphrase
    [match] = score_item(PARAPHRASE, CLAIMS, second_opinion=_model())
    assert match.claim_id == "C1"
    assert match.stance == "mentions"  # no figure, no change: the rules' fallback
    assert "exemplar ex-c1" in match.reason and "ex-none" in match.reason
    assert match.score >= 0.35 and match.sentence.startswith("Почти две трети")


def test_thresholds_decide():
    assert score_item(PARAPHRASE, CLAIMS, second_opinion=_model(min_similarity=0.99)) == []
    assert score_item(PARAPHRASE, CLAIMS, second_opinion=_model(margin=0.99)) == []


def test_never_past_the_rules_vetoes():
    prep = prepare(KYRGYZ)
    assert prep is not None
    c1 = next(c for c in CLAIMS if c.id == "C1")
    assert veto(prep, c1)  # another country: the rules forbid C1 whatever is said
    assert score_item(KYRGYZ, CLAIMS, second_opinion=_model()) == []


def test_only_for_the_claims_it_was_trained_on():
    edited = [replace(c, text=c.text + " (edited)") for c in CLAIMS]
    assert score_item(PARAPHRASE, edited, second_opinion=_model()) == []
    assert score_item(PARAPHRASE, edited, second_opinion=_model(claims=edited))


def test_rules_flags_are_left_as_they_are():
    item = FeedItem(url="https://example.test/3", lang="ru",
                    title="Явка на выборах в Мажилис Казахстана составила 63%",
                    text="ЦИК Казахстана сообщил, что явка на выборах в Мажилис составила 63%.")
    rules = score_item(item, CLAIMS)
    assert [m.claim_id for m in rules] == ["C1"]
    assert score_item(item, CLAIMS, second_opinion=_model()) == rules


def test_quiet_on_items_the_rules_already_flagged():
    prep = prepare(PARAPHRASE)
    assert prep is not None
    model = _model()
    assert [m.claim_id for m in model.matches(prep, CLAIMS, set())] == ["C1"]
    assert model.matches(prep, CLAIMS, {"C4"}) == []


def test_explain_shows_why_the_model_flagged():
    note, rows = explain_item(PARAPHRASE, CLAIMS, second_opinion=_model())
    first = rows[0]
    assert (first.claim_id, first.verdict) == ("C1", "flagged by the second opinion")
    assert "similarity" in first.why and "ex-c1" in first.why and "rules:" in first.why
    assert "second opinion" in format_explanation(PARAPHRASE, note, rows)
    _, plain = explain_item(PARAPHRASE, CLAIMS)
    assert all(r.verdict != "flagged by the second opinion" for r in plain)


def test_packaged_model_is_for_the_packaged_claims():
    model = packaged()
    assert len(model.exemplars) > 500
    # A claim edited without retraining would silently turn the model off for it: retrain.
    assert all(model.applies_to(c) for c in CLAIMS)
    assert second_opinion_model(False) is None
    assert second_opinion_model(True) is model
    assert DiscoverySettings().second_opinion  # on by default: it won on test 3 and real 3


def test_bad_model_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(ValueError, match="not a format-1 model"):
        load(bad)
    with pytest.raises(ValueError, match="cannot read"):
        load(tmp_path / "missing.json")


def test_packaged_model_is_what_training_builds_from_the_committed_labels(tmp_path):
    """A labelled item added or changed without retraining leaves a stale model: rebuild it with
    `python bench/train_second_opinion.py` (deterministic, under a second)."""
    out = tmp_path / "second_opinion.json"
    subprocess.run([sys.executable, str(ROOT / "bench/train_second_opinion.py"), "--out", str(out)],
                   check=True, cwd=ROOT, capture_output=True)
    packaged_file = ROOT / "src/kzwatch/data/second_opinion.json"
    assert out.read_bytes() == packaged_file.read_bytes(), "retrain the second opinion"


def test_discovery_says_which_claims_the_second_opinion_was_not_trained_for(caplog):
    """Another article's claims: the model cannot speak for them, and discovery says so."""
    from kzwatch.corpus import Article
    from kzwatch.cycles.discover import score

    other = [replace(CLAIMS[0], id="X1", text="A claim of another article")]
    articles = [Article("beimenbetov-2021", None, (), tuple(CLAIMS), "", ""),
                Article("other-2024", None, (), tuple(other), "", "")]
    with caplog.at_level("WARNING", logger="kzwatch"):
        score([PARAPHRASE], articles, None, second_opinion=True)
    warned = [r.getMessage() for r in caplog.records if "second opinion" in r.getMessage()]
    assert warned == ["second opinion: not trained for other-2024's claims X1; the rules alone "
                      "score them (retrain: python bench/train_second_opinion.py)"]
    caplog.clear()
    with caplog.at_level("WARNING", logger="kzwatch"):
        score([PARAPHRASE], articles, None, second_opinion=False)
    assert not caplog.records


def test_text_vector_is_the_feature_count_vector_to_the_last_bit():
    # The cached per-token columns must give exactly what counting features gives (same
    # columns in the same order, same weights): the similarities are summed in that order.
    import numpy as np

    from kzwatch.relevance.learned import features

    model = _model()
    texts = [["Почти две трети избирателей Казахстана, две трети!"], ["парк", "парк у реки"],
             ["nothing the model knows"], []]
    for sentences in texts:
        counted = model._vector(features(sentences, "ru"))
        cached = model.text_vector(sentences, "ru")
        assert np.array_equal(counted[0], cached[0]) and np.array_equal(counted[1], cached[1])
    assert len(model.text_vector(texts[0], "ru")[0]) > 10  # the check compared real vectors


def test_opinions_of_several_claims_are_each_claims_own():
    # ``opinions`` answers every claim at once; each must be what the claim-by-claim reading
    # (nearest exemplar with the claim, nearest without) gives, None for a claim without one.
    import numpy as np

    from kzwatch.relevance.learned import Opinion

    model = _model()
    sims = model.similarities(["Почти две трети избирателей Казахстана пришли"], "ru")

    def alone(claim_id):
        mask = model.labelled.get(claim_id)
        if mask is None or not mask.any():
            return None
        pos_i = int(np.argmax(np.where(mask, sims, -1.0)))
        neg_i = int(np.argmax(np.where(mask, -1.0, sims)))
        return Opinion(claim_id, round(float(sims[pos_i]), 3), model.exemplars[pos_i].id,
                       round(float(max(sims[neg_i], 0.0)), 3), model.exemplars[neg_i].id)

    ids = ["C2", "C1", "C9", "C1"]
    assert model.opinions(sims, ids) == [alone(c) for c in ids]
    assert model.opinions(sims, ids)[1] is not None and model.opinions(sims, ["C2"]) == [None]


def test_similarities_are_the_entry_by_entry_sums_to_the_last_bit():
    # The gather written in place must add the same products in the same order as the plain
    # formulation (repeat, index, multiply, bincount).
    import numpy as np

    model = packaged()
    texts = [["Явка на выборах в Мажилис составила 54,19 процента."],
             ["Nur Otan partiasy Amanat bolyp ozgertildi.", "Сайлауға 54 пайыз қатысты."],
             ["The OSCE mission said the vote lacked real competition."]]
    for sentences in texts:
        col, w = model.text_vector(sentences, None)
        starts, ends = model._indptr[col], model._indptr[col + 1]
        lengths = ends - starts
        idx = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        plain = np.bincount(model._rows[idx], model._weights[idx] * np.repeat(w, lengths),
                            minlength=len(model.exemplars))
        assert np.array_equal(model.similarities(sentences, None), plain)
        assert plain.max() > 0.1  # real similarities were compared
