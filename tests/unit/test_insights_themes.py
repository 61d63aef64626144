"""Comment themes, sentiment and their summaries per unit with disclosure control
(colead.insights.themes; issue 4 section 3)."""

import json
import random
import re
import subprocess
import sys

import pytest

from colead.insights import themes
from colead.insights.engine import UnitTree
from colead.surveys.masking import build_masker

# Three families of comments with their own words; each comment is a few of its family's
# phrases, so the families are there to be found but no two comments are the same.
FAMILIES = {
    "staffing": {
        "words": {"rota", "shifts", "staffing", "agency", "nights", "understaffed", "cover"},
        "phrases": [
            "the rota is published late",
            "we are understaffed on nights",
            "staffing levels leave shifts without cover",
            "agency cover fills the rota gaps",
            "night shifts are understaffed every weekend",
            "the staffing rota ignores requests",
            "shifts swapped without notice on the rota",
        ],
    },
    "parking": {
        "words": {"parking", "car", "park", "permits", "spaces", "charges"},
        "phrases": [
            "car parking charges are too high",
            "the car park has no spaces after eight",
            "parking permits cost a fortune",
            "no parking spaces for night staff",
            "car park charges went up again",
            "permits for the car park take months",
        ],
    },
    "development": {
        "words": {"training", "courses", "appraisal", "development", "study", "career"},
        "phrases": [
            "training courses are cancelled",
            "my appraisal discussed career development",
            "study leave for courses is refused",
            "no protected time for training",
            "career development needs funded courses",
            "the appraisal set training goals",
        ],
    },
}


def planted_corpus(per_family=40, seed=5, units=(0,)):
    rng = random.Random(seed)
    comments, truth = [], []
    for family, spec in FAMILIES.items():
        for i in range(per_family):
            text = ". ".join(rng.sample(spec["phrases"], 2)).capitalize() + "."
            comments.append({"text": text, "unit": units[i % len(units)], "item": "comment"})
            truth.append(family)
    order = list(range(len(comments)))
    rng.shuffle(order)
    return [comments[i] for i in order], [truth[i] for i in order]


def family_of(theme):
    """The family whose words make up most of the theme's top five terms."""
    votes = {
        family: sum(any(w in spec["words"] for w in term.split()) for term in theme.terms[:5])
        for family, spec in FAMILIES.items()
    }
    best = max(votes, key=votes.get)
    return best if votes[best] >= 4 else None


# -- themes ---------------------------------------------------------------------------------


def test_planted_themes_are_recovered():
    comments, truth = planted_corpus()
    fitted = themes.fit_themes(comments, n_themes=3, seed=0)
    assert fitted.n_themes == 3 and fitted.reason is None
    families = [family_of(t) for t in fitted.themes]
    assert sorted(f for f in families if f) == sorted(FAMILIES), [t.terms for t in fitted.themes]
    right = sum(
        c.theme is not None and families[c.theme] == family
        for c, family in zip(fitted.comments, truth, strict=True)
    )
    assert right >= 0.95 * len(comments)
    for theme in fitted.themes:
        parts = theme.label.split(" · ")
        assert len(parts) == 3 and parts == list(dict.fromkeys(parts))
        assert parts[0] == theme.terms[0]
        assert theme.weights[0] == 1.0 and list(theme.weights) == sorted(
            theme.weights, reverse=True
        )
        assert theme.comments == sum(c.theme == theme.id for c in fitted.comments)
    # filler and stop words never make a theme term
    terms = {w for t in fitted.themes for term in t.terms for w in term.split()}
    assert not terms & {"the", "are", "for", "staff", "time", "every"}


def test_the_number_of_themes_follows_the_corpus_size():
    assert themes.choose_n_themes(9, 500) == 0
    assert themes.choose_n_themes(10, 500) == 2  # a fifth of the comments
    assert themes.choose_n_themes(40, 500) == 3
    assert themes.choose_n_themes(200, 500) == 6
    assert themes.choose_n_themes(100_000, 500) == 10
    assert themes.choose_n_themes(200, 9) == 3  # a third of the terms
    comments, _ = planted_corpus(per_family=60)
    fitted = themes.fit_themes(comments)
    assert fitted.n_themes == themes.choose_n_themes(180, fitted.vocabulary_size) == 6


def test_fitting_is_deterministic_for_a_seed():
    comments, _ = planted_corpus()
    one = themes.fit_themes(comments, n_themes=4, seed=3)
    two = themes.fit_themes(comments, n_themes=4, seed=3)
    assert one.as_dict() == two.as_dict()
    assert themes.FittedThemes.from_dict(json.loads(json.dumps(one.as_dict()))) == one


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["Too few comments to group."] * 3,
        ["ok", "yes", "no", "fine", "n/a", "-", "", "   ", "nothing", "none", "ok", "yes"],
        ["[name removed]"] * 20,
    ],
    ids=["empty", "tiny", "only-stop-words", "only-placeholders"],
)
def test_empty_and_tiny_corpora_give_no_themes(texts):
    comments = [{"text": t, "unit": 1, "item": "comment"} for t in texts]
    fitted = themes.fit_themes(comments)
    assert fitted.themes == () and fitted.reason
    assert len(fitted.comments) == len(texts)
    assert all(c.theme is None and c.weight == 0 for c in fitted.comments)
    tree = UnitTree([1], [None])
    summary = themes.theme_summary(fitted, tree=tree, comment_threshold=3)
    group = summary.get(1)
    if len(texts) >= 3:
        assert group.shown and group.themes == () and group.unthemed == len(texts)
    else:
        assert not group.shown and group.samples == ()


def test_too_many_themes_asked_for_gives_none():
    comments = [{"text": f"alpha beta {w}", "unit": 1, "item": "c"} for w in "cdefghijkl"]
    # five terms: alpha, beta, gamma, "alpha beta", "beta gamma"
    fitted = themes.fit_themes(
        [{"text": "alpha beta gamma", "unit": 1, "item": "c"}] * 12, n_themes=6
    )
    assert fitted.themes == () and "Too few" in fitted.reason
    assert themes.fit_themes(comments, n_themes=2).n_themes == 2
    with pytest.raises(ValueError):
        themes.fit_themes(comments, n_themes=0)


def test_a_comment_below_the_weight_floor_has_no_theme():
    comments, _ = planted_corpus()
    comments = [*comments, {"text": "Thank you.", "unit": 0, "item": "comment"}]
    fitted = themes.fit_themes(comments, n_themes=3)
    assert fitted.comments[-1].theme is None and fitted.comments[-1].weight == 0
    strict = themes.fit_themes(comments, n_themes=3, weight_floor=10.0)
    assert all(c.theme is None for c in strict.comments)


# -- sentiment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "My manager is really supportive and kind",
        "Great team, I love working here",
        "I feel valued and listened to",
        "Not bad at all",
        "Excellent training, well organised",
    ],
)
def test_clear_positives(text):
    assert themes.sentiment(text).label == "positive"
    assert themes.sentiment(text).score > 0


@pytest.mark.parametrize(
    "text",
    [
        "Bullying is ignored and morale is terrible",
        "We are understaffed and exhausted",
        "Not helpful at all",
        "Managers are never supportive",
        "I don't feel valued",
        "Nice people but the workload is impossible and stressful",
    ],
)
def test_clear_negatives_and_negations(text):
    assert themes.sentiment(text).label == "negative"
    assert themes.sentiment(text).score < 0


def test_sentiment_rules():
    s = themes.sentiment
    assert s("The car park is on level 3").label == "neutral"
    assert s("").score == 0 and s("[name removed]").score == 0
    assert s("very supportive").score > s("supportive").score > s("slightly supportive").score
    assert s("helpful").score > 0 > s("not helpful").score > s("unhelpful").score
    # negation ends with the clause and is limited to three words
    assert s("not on the ward, helpful").score == s("helpful").score
    assert s("not on the ward today helpful").score == s("helpful").score
    # "but": the second part counts more
    assert s("supportive but stressful").label == "negative"
    assert s("stressful but supportive").label == "positive"
    assert s("great and supportive but stressful").label == "negative"
    # placeholders and names say nothing
    assert s("[name removed] was supportive").score == s("was supportive").score
    rng = random.Random(0)
    words = [*themes.lexicon(), "not", "very", "but", ".", "the"]
    for _ in range(200):
        score = s(" ".join(rng.choices(words, k=rng.randint(1, 60)))).score
        assert -1 <= score <= 1


def test_the_lexicon_ships_with_the_package_and_is_balanced():
    words = themes.lexicon()
    positive = [w for w, v in words.items() if v > 0]
    negative = [w for w, v in words.items() if v < 0]
    assert len(positive) >= 50 and len(negative) >= 50
    assert all(-3 <= v <= 3 and v != 0 for v in words.values())
    # words that are neutral in NHS comments are left out on purpose
    assert not {"care", "trust", "patient", "staff", "nurse", "ward"} & set(words)


# -- placeholders -----------------------------------------------------------------------------


def test_placeholders_cover_everything_the_masker_writes():
    mask = build_masker(first_names=["Priya"], last_names=["Patel"], employee_numbers=["E012345"])
    text, count = mask("Priya Patel (priya@nhs.net, 07700 900123, E012345) and Patel")
    assert count == 5
    assert set(re.findall(r"\[[^\]]+\]", text)) == set(themes.PLACEHOLDERS)
    assert "[" not in themes.strip_placeholders(text)


def test_placeholders_never_become_terms_and_masked_text_stays_masked():
    comments, _ = planted_corpus()
    # one family always names someone or gives an address: the placeholders would be its
    # strongest terms if they were not removed
    for c in comments:
        if "parking" in c["text"] or "car park" in c["text"]:
            c["text"] += " Ask [name removed] or [email removed] on [phone number removed]."
    fitted = themes.fit_themes(comments, n_themes=3)
    words = {w for t in fitted.themes for term in t.terms for w in term.split()}
    assert not words & {"name", "email", "phone", "number", "removed"}
    assert all("[" not in term for t in fitted.themes for term in t.terms)
    assert any(family_of(t) == "parking" for t in fitted.themes)
    # comments keep their placeholders, in the fitted comments and in the samples
    assert [c.text for c in fitted.comments] == [c["text"] for c in comments]
    summary = themes.theme_summary(
        fitted, tree=UnitTree([0], [None]), comment_threshold=10, samples=120
    )
    samples = summary.get(0).samples
    assert len(samples) == 120
    assert any("[name removed]" in s["text"] for s in samples)
    assert {s["text"] for s in samples} <= {c["text"] for c in comments}


def test_samples_mask_an_address_or_phone_number_that_got_through():
    comments = [{"text": f"Parking is awful, call 07700 900{i:03d}", "unit": 0, "item": "c"}
                for i in range(10)]  # fmt: skip
    comments.append({"text": "Write to a.person@nhs.net about parking", "unit": 0, "item": "c"})
    fitted = themes.fit_themes(comments)
    summary = themes.theme_summary(fitted, tree=UnitTree([0], [None]), comment_threshold=10)
    samples = summary.get(0).samples
    assert samples and all("07700" not in s["text"] and "@" not in s["text"] for s in samples)
    big = themes.theme_summary(
        fitted, tree=UnitTree([0], [None]), comment_threshold=10, samples=11
    ).get(0)
    assert sum("[phone number removed]" in s["text"] for s in big.samples) == 10
    assert sum("[email removed]" in s["text"] for s in big.samples) == 1


# -- summaries per unit: thresholds, roll-up, samples -------------------------------------------

# Trust 1 > division 2 (ward 4, ward 5) and division 3 (ward 6)
TREE = UnitTree([1, 2, 3, 4, 5, 6], [None, 1, 1, 2, 2, 3], names=list("TDEabc"))


def unit_corpus(per_unit):
    """The planted corpus spread over reporting units: {unit: number of comments}."""
    comments, _ = planted_corpus(per_family=sum(per_unit.values()))
    out = []
    for unit, n in per_unit.items():
        for _ in range(n):
            out.append({**comments.pop(), "unit": unit})
    return out


def test_groups_below_the_comment_threshold_get_nothing():
    fitted = themes.fit_themes(unit_corpus({4: 10, 5: 9, 6: 25}), n_themes=3)
    summary = themes.theme_summary(fitted, tree=TREE, comment_threshold=10)
    small = summary.get(5)
    assert not small.shown and small.status == "primary"
    assert small.reason == "Fewer than 10 people commented"
    assert small.comments is None and small.commenters is None and small.sentiment is None
    assert small.themes == () and small.samples == () and small.positive is None
    exact = summary.get(4)  # exactly the threshold ...
    # ... but ward 4 would give ward 5 away (division 2 minus ward 4), so it is hidden too
    assert not exact.shown and exact.status == "complementary"
    assert "cannot be worked out" in exact.reason and exact.themes == ()
    assert summary.get(2).shown and summary.get(2).comments == 19
    # with a lower threshold ward 4 is shown (the threshold is inclusive)
    lower = themes.theme_summary(fitted, tree=TREE, comment_threshold=9)
    assert lower.get(4).shown and lower.get(5).shown and lower.get(4).commenters == 10
    assert all(g.as_dict() for g in summary.groups)


def test_a_group_with_people_and_no_commenters_is_a_small_group():
    # Division 2 has 3 senior staff of its own who wrote nothing: its 22 commenters are its
    # wards' 10 + 12, so showing all three would tell everyone its own people were silent.
    fitted = themes.fit_themes(unit_corpus({4: 10, 5: 12, 6: 25}), n_themes=3)
    blind = themes.theme_summary(fitted, tree=TREE, comment_threshold=10)
    assert blind.get(2).shown and blind.get(4).shown and blind.get(5).shown
    invited = {1: 0, 2: 3, 3: 0, 4: 14, 5: 15, 6: 30}
    summary = themes.theme_summary(fitted, tree=TREE, comment_threshold=10, population=invited)
    shown = [summary.get(u).shown for u in (2, 4, 5)]
    assert shown.count(False) >= 1, "division 2's silent own group could be worked out"
    assert summary.get(6).shown


def test_counts_roll_up_the_unit_tree():
    per_unit = {4: 12, 5: 15, 6: 20, 2: 11, 3: 14}
    fitted = themes.fit_themes(unit_corpus(per_unit), n_themes=3)
    summary = themes.theme_summary(fitted, tree=TREE, comment_threshold=10, samples=2)
    expect = {1: 72, 2: 38, 3: 34, 4: 12, 5: 15, 6: 20}
    for unit, n in expect.items():
        group = summary.get(unit)
        assert group.shown, unit
        assert group.comments == group.commenters == n
        assert sum(t.count for t in group.themes) + group.unthemed == n
        assert group.positive + group.neutral + group.negative == n
        assert [t.count for t in group.themes] == sorted(
            (t.count for t in group.themes), reverse=True
        )
        assert all(t.share == round(t.count / n, 4) for t in group.themes)
    # the trust's theme counts are its divisions' plus nothing else (no one reports to it)
    trust = {t.theme: t.count for t in summary.get(1).themes}
    divisions = {}
    for unit in (2, 3):
        for t in summary.get(unit).themes:
            divisions[t.theme] = divisions.get(t.theme, 0) + t.count
    assert trust == divisions
    # every sample comes from the unit's own subtree, at most two of them, one per theme
    subtree = {1: {1, 2, 3, 4, 5, 6}, 2: {2, 4, 5}, 3: {3, 6}, 4: {4}, 5: {5}, 6: {6}}
    texts = {}
    for c in fitted.comments:
        texts.setdefault(c.text, set()).add(c.unit)
    for unit in expect:
        samples = summary.get(unit).samples
        assert len(samples) == 2
        assert all(texts[s["text"]] & subtree[unit] for s in samples)
        assert len({s["theme"] for s in samples}) == 2
    assert [g.unit for g in summary.groups] == [1, 2, 3, 4, 5, 6]
    only = themes.theme_summary(fitted, tree=TREE, comment_threshold=10, units=[5, 2], samples=2)
    assert [g.unit for g in only.groups] == [5, 2]
    assert only.get(5) == summary.get(5)
    with pytest.raises(KeyError):
        only.get(4)


def test_samples_are_deterministic_and_never_more_than_asked():
    fitted = themes.fit_themes(unit_corpus({4: 20, 5: 20, 6: 20}), n_themes=3)
    one = themes.theme_summary(fitted, tree=TREE, comment_threshold=10, samples=3, seed=1)
    two = themes.theme_summary(fitted, tree=TREE, comment_threshold=10, samples=3, seed=1)
    assert one == two
    other = themes.theme_summary(fitted, tree=TREE, comment_threshold=10, samples=3, seed=2)
    assert [g.samples for g in other.groups] != [g.samples for g in one.groups]
    for n in (0, 1, 5, 1000):
        summary = themes.theme_summary(fitted, tree=TREE, comment_threshold=10, samples=n)
        for group in summary.groups:
            assert len(group.samples) == min(n, group.comments)


def test_dimensions_are_protected_as_a_breakdown_of_each_unit():
    comments = unit_corpus({4: 19, 5: 30})
    for i, c in enumerate(comments):
        if c["unit"] == 4:
            c["dimension"] = "safety" if i % 19 < 15 else "respect"  # 15 and 4 people
        else:
            c["dimension"] = "safety" if i % 3 else None  # 20 with a dimension, 10 without
    fitted = themes.fit_themes(comments, n_themes=3)
    summary = themes.theme_summary(fitted, tree=TREE, comment_threshold=10)
    assert [g.dimension for g in summary.for_unit(4)] == [None, *dict.fromkeys(
        c["dimension"] for c in comments if c["dimension"])]  # fmt: skip
    assert summary.get(4).shown and summary.get(4).comments == 19
    assert summary.get(4, "respect").status == "primary"
    # ward 4's safety comments are its comments minus its respect comments: hidden too
    assert summary.get(4, "safety").status == "complementary"
    assert summary.get(4, "safety").themes == ()
    # and so is ward 5's: the division's safety comments minus ward 5's would give ward 4's
    assert summary.get(2, "safety").shown and summary.get(2, "safety").comments == 35
    assert summary.get(5, "safety").status == "complementary"
    assert summary.get(5, "respect").status == "primary"  # nobody
    assert summary.get(3).status == summary.get(3, "safety").status == "primary"  # nobody

    # ward 5 alone: its dimension is shown, the comments without one are not a row
    alone = [c for c in comments if c["unit"] == 5]
    summary = themes.theme_summary(
        themes.fit_themes(alone, n_themes=3), tree=TREE, comment_threshold=10
    )
    ward5 = summary.get(5, "safety")
    assert ward5.shown and ward5.comments == ward5.commenters == 20
    assert summary.get(5).comments == 30
    assert [g.dimension for g in summary.for_unit(5)] == [None, "safety"]
    safety = {c["text"] for c in alone if c["dimension"] == "safety"}
    assert ward5.samples and all(s["text"] in safety for s in ward5.samples)
    assert sum(t.count for t in ward5.themes) + ward5.unthemed == 20


def test_people_not_comments_are_counted():
    comments = []
    for person in range(9):  # nine people, two comment items each: 18 comments
        for item in ("comment", "say"):
            comments.append(
                {"text": f"Parking charges are unfair {item}", "unit": 4, "item": item,
                 "respondent": f"r{person}"}
            )  # fmt: skip
    fitted = themes.fit_themes(comments)
    summary = themes.theme_summary(fitted, tree=TREE, comment_threshold=10)
    assert not summary.get(4).shown and summary.get(4).status == "primary"
    plus_one = [*comments, {"text": "Car park", "unit": 4, "item": "say", "respondent": "r9"}]
    fitted = themes.fit_themes(plus_one)
    summary = themes.theme_summary(fitted, tree=TREE, comment_threshold=10)
    assert summary.get(4).shown and summary.get(4).commenters == 10
    assert summary.get(4).comments == 19
    without_key = [{k: v for k, v in c.items() if k != "respondent"} for c in comments]
    with pytest.raises(ValueError, match="respondent key"):
        themes.theme_summary(themes.fit_themes(without_key), tree=TREE, comment_threshold=10)
    moved = [*comments, {**comments[0], "unit": 5}]
    with pytest.raises(ValueError, match="two reporting units"):
        themes.theme_summary(themes.fit_themes(moved), tree=TREE, comment_threshold=10)


def test_unknown_units_and_bad_thresholds_are_refused():
    fitted = themes.fit_themes([{"text": "x", "unit": 99, "item": "c"}])
    with pytest.raises(KeyError):
        themes.theme_summary(fitted, tree=TREE, comment_threshold=10)
    with pytest.raises(ValueError):
        themes.theme_summary(themes.fit_themes([]), tree=TREE, comment_threshold=0)


def test_importing_themes_does_not_load_scikit_learn():
    # scikit-learn is loaded only when themes are found (a second of start-up otherwise);
    # that the module imports no Django is a contract in .importlinter.
    code = (
        "import sys\n"
        "import colead.insights.themes as t\n"
        "t.sentiment('good')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn'}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
