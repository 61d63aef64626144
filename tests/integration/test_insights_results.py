"""The results service: figures equal the pure engine's, always through disclosure control
over the whole organisation, comparisons among visible cells only, change only where R5
allows it."""

import math

import numpy as np
import pytest

from colead.insights import engine, scoring
from colead.insights import results as rs
from colead.insights.models import WaveScores
from colead.lib.errors import Invalid
from colead.org.models import Unit
from colead.privacy import disclosure
from colead.surveys import services
from colead.surveys.models import Response
from tests.integration.insights_fixtures import closed_wave

pytestmark = pytest.mark.django_db

K = 5
# W2 has 3 responses (below k = 5), so W1 (14) must be hidden too: otherwise CARD − W1 = W2.
COUNTS = {"W1": 14, "W2": 3, "T1": (12, 0.8), "SURG": 6}


@pytest.fixture
def wave(trust):
    return closed_wave(trust, COUNTS, threshold=K)


def independent(wave):
    """The pure engine on the stored responses, without the results service."""
    scheme = scoring.scoring_scheme(services.wave_instruments(wave))
    rows = [
        {"unit": r.reporting_unit_id, "answers": r.answers, "demographics": r.demographics}
        for r in Response.objects.filter(wave=wave)
    ]
    scored = engine.compute_wave_scores(
        scheme, engine.responses_frame(rows), breakdowns=["staff_group"]
    )
    units = list(Unit.objects.for_org(wave.organisation).order_by("path"))
    tree = engine.UnitTree([u.pk for u in units], [u.parent_id for u in units])
    return scored, tree, {u.pk: u for u in units}


def test_figures_equal_the_pure_engine_and_suppression_equals_the_disclosure_module(wave):
    scored, tree, units = independent(wave)
    stats = engine.unit_statistics(scored, tree)
    protection = disclosure.protect(tree, stats.respondents.astype(int), K, None)
    results = rs.load_results(wave)
    for level in range(tree.max_depth + 1):
        table = results.table(level=level)
        for row in table.rows:
            position = tree.positions([row.unit_id])[0]
            for code, cell in row.cells.items():
                m = stats.measure_index[code]
                n = int(stats.n[position, m])
                if cell.suppressed:
                    assert cell.n is None and cell.score is None and cell.pct_positive is None
                    continue
                # with breakdowns, more can be hidden than unit totals alone would hide
                assert protection.unit_status(row.unit_id) == disclosure.Status.VISIBLE
                assert cell.n == n >= K
                assert cell.score == pytest.approx(stats.mean[position, m])
                assert cell.ci_low == pytest.approx(stats.ci[0][position, m])
                assert cell.ci_high == pytest.approx(stats.ci[1][position, m])
                if cell.pct_band is None:
                    assert cell.pct_positive == pytest.approx(
                        100 * stats.proportion[0][position, m]
                    )
                else:
                    assert n < 2 * K and cell.pct_positive is None


def test_comparisons_equal_the_engine_among_the_visible_units(wave):
    scored, tree, _ = independent(wave)
    stats = engine.unit_statistics(scored, tree)
    table = rs.load_results(wave).table(level=2)
    for measure in ("engagement", "teamwork", "psychological_safety"):
        visible = [r.unit_id for r in table.rows if not r.cells[measure].suppressed]
        assert visible
        expected = engine.compare_with_rest(stats, units=visible, measures=[measure])
        labels = dict(zip(expected["unit"].to_list(), expected["label"].to_list(), strict=True))
        for row in table.rows:
            cell = row.cells[measure]
            assert cell.comparison == (None if cell.suppressed else labels[row.unit_id])


def test_a_small_unit_and_its_complement_are_hidden_with_no_numbers(wave):
    results = rs.load_results(wave)
    rows = {r.unit_code: r for r in results.table(level=3).rows}
    assert rows["W2"].suppressed == "primary" and rows["W2"].respondents is None
    assert rows["W1"].suppressed == "complementary" and rows["W1"].respondents is None
    assert rows["W1"].reason == "Hidden so that a smaller group cannot be worked out"
    assert rows["W2"].reason == f"Fewer than {K} responses"
    for row in (rows["W1"], rows["W2"]):
        for cell in row.cells.values():
            assert cell.suppressed and cell.n is None and cell.score is None
            assert cell.comparison is None and cell.change is None


def visible_n(results, level, measure, breakdown=None):
    table = results.table(level=level, breakdown=breakdown)
    return {
        (r.unit_id, r.category): r.cells[measure].n
        for r in table.rows
        if not r.cells[measure].suppressed
    }


def test_no_subtraction_of_visible_figures_leaves_fewer_than_k(wave):
    """For every visible unit, its figure minus its visible sub-units' figures is nobody or
    at least k people: a hidden group is never left on its own."""
    results = rs.load_results(wave)
    tree = results.tree
    for measure in results.measure_codes():
        shown = {}
        for level in range(tree.max_depth + 1):
            shown.update(visible_n(results, level, measure))
        for (unit, _), n in shown.items():
            children = results.tree.children(unit).tolist()
            rest = n - sum(shown.get((child, None), 0) for child in children)
            assert rest == 0 or rest >= K, (measure, unit, rest)


def test_no_subtraction_of_visible_staff_groups_leaves_fewer_than_k(wave):
    results = rs.load_results(wave)
    for level in range(results.max_level + 1):
        for measure in ("engagement", "vision_values"):
            whole = visible_n(results, level, measure)
            groups = visible_n(results, level, measure, breakdown="staff_group")
            for (unit, _), n in whole.items():
                rest = n - sum(v for (u, _), v in groups.items() if u == unit)
                assert rest == 0 or rest >= K, (level, measure, unit, rest)
            assert all(n >= K for n in groups.values())


def test_every_view_shares_one_suppression_pattern(wave):
    """Unit totals are hidden alike with and without a breakdown, so two views cannot be
    combined."""
    results = rs.load_results(wave)
    for level in range(results.max_level + 1):
        plain = {r.unit_id: r.suppressed for r in results.table(level=level).rows}
        split = results.table(level=level, breakdown="staff_group")
        assert plain.keys() == {r.unit_id for r in split.rows}
        for measure in results.measure_codes():
            prot = results.measure_protection(measure)
            for row in results.table(level=level).rows:
                status = prot.unit_status(row.unit_id)
                cell = row.cells[measure]
                if status.hidden:
                    assert cell.suppressed == status.value


def test_people_without_a_staff_group_are_a_category_of_their_own(trust):
    # W2 responds too: its 3 people staying silent would hide W1 (CARD - W1 = W2's 0)
    wave = closed_wave(trust, {"W1": 14, "W2": 14, "T1": 12}, groups=("medical_dental", None))
    results = rs.load_results(wave)
    labels = dict(results.category_labels("staff_group"))
    assert labels == {"medical_dental": "Medical and dental", disclosure.REMAINDER: "Not recorded"}
    rows = results.table(level=3, breakdown="staff_group").rows
    w1 = {r.category: r.respondents for r in rows if r.unit_code == "W1"}
    assert w1 == {"medical_dental": 7, disclosure.REMAINDER: 7}


def test_change_since_the_previous_wave_only_with_twice_the_threshold(trust):
    counts = {"W1": 14, "W2": 3, "T1": 8, "SURG": 6}
    first = closed_wave(trust, counts, threshold=K, title="Autumn", seed=1)
    second = closed_wave(trust, {**counts, "W1": (14, 0.9)}, threshold=K, title="Spring", seed=2)
    results = rs.load_results(second)
    assert results.previous is not None and results.previous.wave_id == first.pk
    table = results.table(level=2)
    assert table.previous_wave_id == first.pk
    rows = {r.unit_code: r for r in table.rows}
    card, t1 = rows["CARD"].cells["engagement"], rows["T1"].cells["engagement"]
    assert card.n >= 2 * K and card.change is not None and card.change_label is not None
    assert t1.suppressed is None and t1.n < 2 * K and t1.change is None
    before = rs.load_results(first, with_previous=False).table(level=2)
    old = next(r for r in before.rows if r.unit_code == "CARD").cells["engagement"]
    assert card.change == pytest.approx(card.score - old.score)
    # the first wave has nothing before it
    assert rs.load_results(first).previous is None


def test_bad_levels_and_breakdowns_say_what_to_do(wave):
    results = rs.load_results(wave)
    cases = (
        ({"level": 7}, "level", r"no level 7 .* from 0 to 3"),
        (
            {"level": 1, "breakdown": "shoe_size"},
            "by",
            r"no breakdown 'shoe_size'\. Use staff_group",
        ),
        ({"level": 1, "breakdown": "sex"}, "by", r"has no sex recorded .* Use staff_group"),
        ({"level": 1, "measures": "some"}, "measures", r"measure set 'some'"),
    )
    for asked, field, message in cases:
        with pytest.raises(Invalid, match=message) as raised:
            results.table(**asked)
        assert list(raised.value.errors) == [field] and raised.value.source == "query"


def test_an_open_wave_has_no_results(trust):
    from tests.integration.waves_fixtures import make_wave

    wave = make_wave(trust, launch=True)
    with pytest.raises(rs.ResultsNotReady, match="still open: results are shown only once"):
        rs.load_results(wave)
    assert not WaveScores.objects.filter(wave=wave).exists()


def test_tables_are_cached_per_wave_level_and_breakdown(wave, django_assert_num_queries):
    results = rs.load_results(wave)
    first = results.table(level=2)
    assert rs.load_results(wave).table(level=2) is first
    assert results.table(level=2, breakdown="staff_group") is not first
    scores = np.array([c.score for r in first.rows for c in r.cells.values() if c.score])
    assert not np.isnan(scores).any() and math.isfinite(scores.sum())


def test_an_earlier_wave_without_stored_scores_gives_no_change_and_is_not_scored(trust):
    first = closed_wave(trust, {"W1": 14, "T1": 12}, threshold=K, title="Autumn")
    second = closed_wave(trust, {"W1": 14, "T1": 12}, threshold=K, title="Spring")
    WaveScores.objects.filter(wave=first).delete()  # closed before scores were stored
    results = rs.load_results(second)
    assert results.previous is None  # a read never scores a wave
    assert not WaveScores.objects.filter(wave=first).exists()


def test_deactivated_units_nobody_answered_in_are_left_out(trust):
    Unit.objects.filter(code="W2").update(is_active=False)
    wave = closed_wave(trust, {"W1": 14, "T1": 12}, threshold=K)
    codes = {row.unit_code for row in rs.load_results(wave).table(level=3).rows}
    assert codes == {"W1"}
