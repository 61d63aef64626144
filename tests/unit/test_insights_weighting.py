"""The organisation's score weighted by staff group (colead.insights.weighting): the rule of
measures.md §1.6, and the disclosure rule that stops the weighted and unweighted scores
together from giving away a group too small to be shown."""

from dataclasses import dataclass, field

import numpy as np
import pytest

from colead.insights import weighting


def test_the_worked_example_of_measures_1_6():
    # Nurses 6.5 (60% of respondents), admin 7.5 (40%); benchmark shares 45% / 55%.
    means = {"nursing_midwifery_registered": 6.5, "administrative_clerical": 7.5}
    shares = {"nursing_midwifery_registered": 0.45, "administrative_clerical": 0.55}
    unweighted = 0.6 * 6.5 + 0.4 * 7.5
    assert unweighted == pytest.approx(6.9)
    assert weighting.weighted_mean(means, shares) == pytest.approx(7.05)


def test_shares_are_rescaled_over_the_groups_present():
    shares = {"a": 0.2, "b": 0.3, "c": 0.5}
    assert weighting.weighted_mean({"a": 4.0, "b": 9.0}, shares) == pytest.approx(
        (0.2 * 4 + 0.3 * 9) / 0.5
    )
    assert weighting.weighted_mean({"x": 4.0}, shares) is None


def test_each_respondent_carries_benchmark_share_over_own_share():
    # The same figure as weighting each respondent by P(j)/p(j).
    rng = np.random.default_rng(5)
    groups = np.repeat(["a", "b", "c"], [30, 50, 20])
    scores = rng.uniform(0, 10, groups.size)
    shares = {"a": 0.5, "b": 0.25, "c": 0.25}
    own = {g: (groups == g).mean() for g in shares}
    per_person = np.array([shares[g] / own[g] for g in groups])
    means = {g: scores[groups == g].mean() for g in shares}
    assert weighting.weighted_mean(means, shares) == pytest.approx(
        np.average(scores, weights=per_person)
    )


def test_the_benchmark_shares_name_every_staff_group_and_add_up_to_one():
    from colead.org import reference

    shares = weighting.benchmark_shares()
    assert set(shares) == {group.code for group in reference.staff_groups()}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert all(share > 0 for share in shares.values())


# -- the tables, as the results service gives them ---------------------------------------------


@dataclass
class Measure:
    code: str
    title: str


@dataclass
class Cell:
    score: float | None
    suppressed: str | None = None


@dataclass
class Row:
    category: str | None
    cells: dict
    category_label: str | None = None


@dataclass
class Table:
    measures: list
    rows: list = field(default_factory=list)


SHARES = {"nurses": 0.45, "admin": 0.55, "doctors": 0.2}
MEASURES = [Measure("engagement", "Staff engagement")]


def tables(groups: dict[str, tuple[int, float]], k: int):
    """The organisation's table and its staff-group table, each group's mean hidden below k
    (as the disclosure control hides it); ``groups`` maps group -> (respondents, mean)."""
    total = sum(n for n, _ in groups.values())
    mean = sum(n * m for n, m in groups.values()) / total
    whole = Table(MEASURES, [Row(None, {"engagement": Cell(mean)})])
    rows = [
        Row(g, {"engagement": Cell(m) if n >= k else Cell(None, "primary")}, g.title())
        for g, (n, m) in groups.items()
    ]
    return whole, Table(MEASURES, rows)


def test_the_weighted_score_is_shown_when_every_group_is():
    whole, by_group = tables({"nurses": (60, 6.5), "admin": (40, 7.5)}, k=10)
    (score,) = weighting.organisation_scores(whole, by_group, SHARES)
    assert score.unweighted == pytest.approx(6.9)
    assert score.weighted == pytest.approx((0.45 * 6.5 + 0.55 * 7.5) / 1.0)
    assert score.groups == 2 and score.reason is None


def test_the_attack_a_small_group_from_the_two_scores_is_refused():
    # Three doctors, below the threshold of 10: their mean is hidden in the group table.
    groups = {"nurses": (60, 6.5), "admin": (40, 7.5), "doctors": (3, 2.0)}
    whole, by_group = tables(groups, k=10)
    # Were the weighted score published, its difference from the published group means
    # would give the doctors' mean away exactly, weights being public:
    would_be = weighting.weighted_mean({g: m for g, (_, m) in groups.items()}, SHARES)
    shown = {"nurses": 6.5, "admin": 7.5}
    total = sum(SHARES.values())
    recovered = (would_be * total - sum(SHARES[g] * m for g, m in shown.items())) / SHARES[
        "doctors"
    ]
    assert recovered == pytest.approx(2.0)  # the attack works on an unprotected figure
    (score,) = weighting.organisation_scores(whole, by_group, SHARES)
    assert score.weighted is None and score.unweighted is not None
    assert score.reason == (
        "Not shown: the score of Doctors is hidden to protect a small group, and the "
        "weighted score would let it be worked out."
    )


def test_a_shown_weighted_score_is_a_combination_of_shown_figures_only():
    # Whatever the hidden group's mean, once every weighting group is shown the weighted
    # score depends on the shown group means alone, so it can reveal nothing more.
    whole, by_group = tables({"nurses": (60, 6.5), "admin": (40, 7.5)}, k=10)
    (score,) = weighting.organisation_scores(whole, by_group, SHARES)
    shown = {row.category: row.cells["engagement"].score for row in by_group.rows}
    assert score.weighted == pytest.approx(weighting.weighted_mean(shown, SHARES))


def test_people_with_no_staff_group_count_in_the_unweighted_score_only():
    whole, by_group = tables({"nurses": (60, 6.5), "admin": (40, 7.5)}, k=10)
    by_group.rows.append(Row("prefer_not", {"engagement": Cell(None, "primary")}))
    (score,) = weighting.organisation_scores(whole, by_group, SHARES)
    assert score.weighted is not None and score.groups == 2


def test_no_breakdown_or_a_hidden_organisation_score_gives_a_reason():
    whole, _ = tables({"nurses": (60, 6.5)}, k=10)
    (alone,) = weighting.organisation_scores(whole, None, SHARES)
    assert alone.weighted is None and alone.reason.startswith("Not worked out")
    whole.rows[0].cells["engagement"] = Cell(None, "primary")
    (hidden,) = weighting.organisation_scores(whole, None, SHARES)
    assert hidden.unweighted is None and hidden.reason.startswith("Not shown")
