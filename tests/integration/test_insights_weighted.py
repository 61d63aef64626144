"""The organisation's unit page shows its scores weighted by staff group beside the
unweighted ones, from the same disclosure-controlled tables, and withholds the weighted
score when a staff group is too small to be shown."""

import html as htmllib
import re

import pytest
from django.urls import reverse

from colead.insights import results as rs
from colead.insights import weighting
from tests.integration.insights_fixtures import closed_wave

pytestmark = pytest.mark.django_db

K = 5
COUNTS = {"W1": 14, "W2": 12, "T1": 12, "SURG": 6}


def organisation_page(client, wave):
    return client.get(reverse("insights:unit", args=[wave.pk, "TST1-ROOT"]))


def page_text(response) -> str:
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_weighted_score_is_beside_the_unweighted_one(client_for, trust):
    wave = closed_wave(trust, COUNTS, threshold=K)
    response = organisation_page(client_for("board"), wave)
    assert response.status_code == 200
    lines = {line.code: line for line in response.context_data["weighted"]}
    results = rs.load_results(wave)
    whole = results.table(level=0, measures="dimensions").rows[0]
    by_group = results.table(level=0, breakdown="staff_group", measures="dimensions").rows
    shares = weighting.benchmark_shares()
    engagement = lines["engagement"]
    assert engagement.unweighted == pytest.approx(whole.cells["engagement"].score)
    group_means = {row.category: row.cells["engagement"].score for row in by_group}
    assert len(group_means) == 3 and None not in group_means.values()
    expected = sum(shares[g] * m for g, m in group_means.items()) / sum(
        shares[g] for g in group_means
    )
    assert engagement.weighted == pytest.approx(expected)
    assert engagement.weighted != pytest.approx(engagement.unweighted, abs=1e-6)
    text = page_text(response)
    assert "Weighted by staff group" in text
    assert f"Staff engagement {engagement.unweighted:.1f} {engagement.weighted:.1f}" in text
    # Only the organisation's page has it.
    unit = client_for("board").get(reverse("insights:unit", args=[wave.pk, "W1"]))
    assert unit.context_data["weighted"] == [] and 'id="weighted"' not in unit.content.decode()


def test_a_staff_group_below_the_threshold_withholds_the_weighted_score(client_for, trust):
    # One doctor in every 11 ballots: 3 doctors in all, below the threshold of 5.
    groups = ("nursing_midwifery_registered",) * 10 + ("medical_dental",)
    wave = closed_wave(trust, COUNTS, threshold=K, groups=groups)
    response = organisation_page(client_for("board"), wave)
    lines = response.context_data["weighted"]
    assert lines and all(line.weighted is None for line in lines)
    assert all(line.unweighted is not None for line in lines if line.code == "engagement")
    assert "medical and dental" in lines[0].reason.lower()
    text = page_text(response)
    assert "hidden to protect a small group, and the weighted score would let" in text
