"""The unit results page: one unit in one closed wave. Figures equal the results service's
(disclosure control included): a unit below the threshold shows no figure, a unit between
k and 2k shows no change and a banded percent positive, the trend has only each wave's
visible figures, item detail is suppressed like the rest, comments only at or above the
comment threshold (masked details stay masked); access per role; 404s that say why; the
heatmap links here; every view is audited."""

import html as htmllib
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from colead.audit.models import AuditEvent
from colead.core.actor import Actor
from colead.insights import results as rs
from colead.insights import themes, unit_results
from colead.lib import charts, memory
from colead.surveys import services
from colead.surveys.models import Ballot
from tests.integration.insights_fixtures import add_ballots, closed_wave, staff_roster
from tests.integration.waves_fixtures import make_wave

pytestmark = pytest.mark.django_db

K = 5
# Autumn: every unit visible. Spring: W2 has 3 (below k), so W1 is hidden too (CARD − W1
# would be W2); T1 has 8, between k and 2k (change hidden, percent positive banded).
AUTUMN = {"W1": 14, "W2": 12, "T1": (12, 0.8), "SURG": 6}
SPRING = {"W1": 14, "W2": 3, "T1": (8, 0.8), "SURG": 6}
# Spring's commenters: Medicine's 15 (12 + 3), and 10 in Surgery (8 + 2), so that Surgery's
# comments are shown too; had nobody there commented, Surgery would be a small group of
# commenters and Medicine's comments hidden (the trust's minus Medicine's would be none).
SPRING_COMMENTERS = {"W1": 12, "W2": 3, "T1": 8, "SURG": 2}

# Comments as stored: already masked when they were submitted, except a phone number that
# got through (the page masks it again).
COMMENT_PHRASES = [
    "Short staffed on nights again and the rota is impossible",
    "The rota changes at short notice and nights are short staffed",
    "Our manager listens and is supportive when things go wrong",
    "A supportive manager who listens to every concern we raise",
    "Car parking is expensive and there are never enough spaces",
    "Parking spaces are too few and parking costs too much",
]


def comment_text(i: int) -> str:
    return f"{COMMENT_PHRASES[i % len(COMMENT_PHRASES)]}, said [name removed]. Call 07700 900123"


def wave_with_comments(trust, counts, commenters: dict[str, int], *, title):
    """A closed wave like ``closed_wave``, with a comment from ``commenters[unit]`` people of
    each unit."""
    staff_roster(trust, counts)
    wave = make_wave(
        trust,
        units=("TST1-ROOT",),
        threshold=K,
        title=title,
        instruments=["culture-pulse", "staff-engagement", "psychological-safety", "team-working"],
        launch=True,
    )
    for code, spec in counts.items():
        count, lean = spec if isinstance(spec, tuple) else (spec, 0.0)
        add_ballots(wave, code, count, lean=lean)
    written = 0
    for code, how_many in commenters.items():
        ballots = Ballot.objects.filter(wave=wave, reporting_unit__code=code).order_by("pk")
        for ballot in ballots[:how_many]:
            ballot.comments = {"comment": comment_text(written)}
            ballot.save(update_fields=["sealed"])
            written += 1
    return services.close_wave(wave=wave, actor=Actor.system("tests"))


@pytest.fixture
def autumn(trust):
    return closed_wave(trust, AUTUMN, threshold=K, title="Autumn")


@pytest.fixture
def spring(trust, autumn):
    return wave_with_comments(trust, SPRING, SPRING_COMMENTERS, title="Spring")


def unit_url(wave, code):
    return reverse("insights:unit", args=[wave.pk, code])


def page_text(response) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def lines(response) -> dict:
    return {line.code: line for line in response.context_data["dimensions"]}


# -- figures -------------------------------------------------------------------------------------


def test_dimensions_are_the_results_service_figures_with_intervals_comparison_and_change(
    client_for, spring
):
    response = client_for("board").get(unit_url(spring, "MED"))
    assert response.status_code == 200
    table = rs.load_results(spring).table(level=1)
    row = next(r for r in table.rows if r.unit_code == "MED")
    shown = lines(response)
    assert list(shown) == [m.code for m in table.measures]
    for code, cell in row.cells.items():
        line = shown[code]
        assert line.hidden is None
        assert line.n == str(cell.n) == "17"
        assert line.score == f"{cell.score:.1f}"
        assert line.score_interval == f"{cell.ci_low:.1f} to {cell.ci_high:.1f}"
        assert line.pct == f"{cell.pct_positive:.0f}%"
        low, high = (float(v) for v in re.findall(r"[\d.]+", line.pct_interval))
        assert low <= cell.pct_positive <= high and high - low > 5
        assert line.comparison == cell.comparison.capitalize()
        # MED had 26 responses in Autumn and 17 now: both at least 2k, so change is shown
        assert re.fullmatch(r"[+−]?\d\.\d \((improved|declined|no clear change)\)", line.change)
    assert shown["motivation"].sub and not shown["engagement"].sub
    text = page_text(response)
    assert "Change since Autumn" in text
    assert f"{row.cells['engagement'].score:.1f}" in text


def test_a_unit_below_the_threshold_shows_no_figures(client_for, spring):
    response = client_for("board").get(unit_url(spring, "W2"))  # 3 responses in Spring
    assert response.status_code == 200
    context = response.context_data
    assert context["responses_hidden"] == f"Fewer than {K} responses"
    assert all(line.hidden == f"Fewer than {K} responses" for line in context["dimensions"])
    assert all(line.n == line.score == line.pct == "" for line in context["dimensions"])
    for group in context["items"]:
        assert all(line.hidden and line.score == line.pct == "" for line in group.lines)
    for team in context["teams"]["lines"]:
        assert team.safety.hidden and team.agreement is None and team.real_team.hidden
    # no score of this wave anywhere in the scores table
    html = response.content.decode()
    scores = html[html.index('id="scores-table"') : html.index('id="trend"')]
    assert not re.search(r"\d\.\d", re.sub(r"<[^>]+>", " ", scores))
    assert "No figure is shown for Ward 2 in this wave: Fewer than 5 responses" in page_text(
        response
    )


def test_a_unit_hidden_to_protect_a_smaller_one_says_so(client_for, spring):
    response = client_for("board").get(unit_url(spring, "W1"))  # 14, but CARD − W1 = W2
    reason = "Hidden so that a smaller group cannot be worked out"
    assert response.context_data["responses_hidden"] == reason
    assert {line.hidden for line in response.context_data["dimensions"]} == {reason}


def test_a_unit_between_k_and_2k_has_no_change_and_a_banded_percent(client_for, spring):
    response = client_for("board").get(unit_url(spring, "T1"))  # 8 now, 12 in Autumn
    shown = lines(response)
    table = rs.load_results(spring).table(level=2)
    row = next(r for r in table.rows if r.unit_code == "T1")
    for code, line in shown.items():
        assert line.hidden is None and line.n == "8"
        assert row.cells[code].change is None
        assert line.change == f"Not shown: needs at least {2 * K} responses in both waves, " + (
            "and the group shown in both"
        )
        assert line.pct_banded and line.pct == row.cells[code].pct_band
        assert line.pct_interval == ""  # an interval would give the exact figure back
        # nor may the mean or its interval (issue 11): a band of the scale, or nothing
        assert line.score_interval == "" and row.cells[code].score is None
        assert line.score == (row.cells[code].score_band or "Not shown")
        assert not re.fullmatch(r"\d\.\d", line.score)


def test_the_trend_has_only_each_waves_visible_figures(client_for, autumn, spring):
    response = client_for("board").get(unit_url(spring, "W2"))  # 12 in Autumn, 3 in Spring
    trend = response.context_data["trend"]
    assert [w["title"] for w in trend.waves] == ["Autumn", "Spring"]
    assert [w["current"] for w in trend.waves] == [False, True]
    assert {p["wave"] for p in trend.points} == {"Autumn"}
    autumn_row = next(r for r in rs.load_results(autumn).table(level=3).rows if r.unit_code == "W2")
    engagement = next(p for p in trend.points if p["measure"] == "Staff engagement")
    assert engagement["score"] == round(autumn_row.cells["engagement"].score, 2)
    for row in trend.rows:
        assert row["cells"][1] == {"text": f"<{K}", "hidden": f"Fewer than {K} responses"}
        assert re.fullmatch(r"\d\.\d \(\d\.\d to \d+\.\d\)", row["cells"][0]["text"])
    spec_waves = {value["category"] for value in trend.spec["data"]["values"]}
    assert spec_waves == {"Autumn"}
    assert trend.spec["spec"]["layer"][0]["encoding"]["x"]["scale"]["domain"] == [
        "Autumn",
        "Spring",
    ]
    assert response.context_data["chart_src"].startswith("data:image/svg+xml;base64,")
    assert "The figures in these charts are in the table below." in page_text(response)


def test_the_trend_chart_tells_waves_with_long_titles_apart_as_its_table_does(client_for, trust):
    closed_wave(trust, AUTUMN, threshold=K, title="Staff culture survey autumn 2025")
    later = closed_wave(trust, AUTUMN, threshold=K, title="Staff culture survey spring 2026")
    response = client_for("board").get(unit_url(later, "W2"))
    trend = response.context_data["trend"]
    labels = [w["label"] for w in trend.waves]
    assert labels == ["Autumn 2025", "Spring 2026"]
    # The chart holds exactly the table's shown figures, under the table's wave labels.
    chart = {(v["category"], v["panel"]): v["value"] for v in charts.data_values(trend.spec)}
    table = {
        (labels[i], row["title"]): float(cell["text"].split()[0])
        for row in trend.rows
        for i, cell in enumerate(row["cells"])
        if cell["hidden"] is None and cell["text"][:1].isdigit()
    }
    assert chart.keys() == table.keys() and len(chart) > 0
    for key, value in chart.items():
        assert value == pytest.approx(table[key], abs=0.051)  # the table shows one decimal
    drawn = charts.text_labels(charts.svg(trend.spec))
    assert {"Autumn 2025", "Spring 2026", "Wave", "Score (0 to 10)"} <= set(drawn)
    assert not any("Staff culture survey" in label for label in drawn)
    assert "Staff culture survey spring 2026, closed" in page_text(response)


def test_a_theme_the_previous_wave_did_not_ask_has_no_change(client_for, trust):
    # Ward 2's people answer too: had its 3 stayed silent, they would fold into the trust at
    # close, taking Ward 1's responses with them (privacy.roster), and be a small group.
    counts = {"W1": 14, "W2": 6, "T1": 12}
    closed_wave(trust, counts, threshold=K, title="Pulse", instruments=["culture-pulse"])
    full = closed_wave(trust, counts, threshold=K, title="Full")
    shown = lines(client_for("board").get(unit_url(full, "MED")))
    assert shown["engagement"].change == "Not asked in Pulse"
    assert re.fullmatch(r"[+−]?\d\.\d \(.+\)", shown["vision_values"].change)


def test_a_unit_hidden_in_every_wave_has_no_chart(client_for, trust):
    only = closed_wave(trust, {"W1": 14, "W2": 3, "T1": 12}, threshold=K, title="Only")
    response = client_for("board").get(unit_url(only, "W2"))
    trend = response.context_data["trend"]
    assert [w["title"] for w in trend.waves] == ["Only"]
    assert trend.points == [] and trend.spec is None
    assert response.context_data["chart_src"] is None
    assert "Only is the only closed wave that surveyed Ward 2 so far." in page_text(response)
    assert "<img" not in response.content.decode().split('id="trend"')[1].split("</h2>")[1][:2000]


def test_item_detail_is_suppressed_like_the_service(client_for, spring):
    client = client_for("board")
    all_measures = rs.load_results(spring).table(level=2, measures="all")
    for code in ("T1", "CARD"):
        response = client.get(unit_url(spring, code))
        row = next(r for r in all_measures.rows if r.unit_code == code)
        groups = response.context_data["items"]
        assert groups[-1].title == "Other questions"  # the team-working yes/no questions
        seen = set()
        for group in groups:
            for line in group.lines:
                seen.add(line.code)
                cell = row.cells[line.code]
                if cell.suppressed:
                    assert line.hidden == cell.reason and line.pct == line.score == ""
                else:
                    assert line.n == str(cell.n)
                    if cell.pct_band:  # T1: fewer than 2k answers
                        assert line.pct == cell.pct_band and line.pct_interval == ""
                        # a band of the scale (none for a yes/no question), no interval
                        assert line.score == (cell.score_band or "Not shown")
                        assert line.score_interval == ""
                    else:
                        assert line.score == f"{cell.score:.1f}"
                        assert line.pct == f"{cell.pct_positive:.0f}%" and line.pct_interval
        items = {m.code for m in all_measures.measures if m.kind == "item"}
        assert seen == items
    w2 = client.get(unit_url(spring, "W2"))
    assert all(line.hidden for group in w2.context_data["items"] for line in group.lines)


def test_real_teams_and_team_agreement(client_for, spring):
    response = client_for("board").get(unit_url(spring, "SURG"))
    teams = response.context_data["teams"]
    assert teams["has_share"] and teams["has_safety"]
    names = [team.name for team in teams["lines"]]
    assert names == ["Surgery", "Theatres"]
    results = rs.load_results(spring)
    agreements = unit_results.team_agreements(results)
    surgery = teams["lines"][0]
    rwg = agreements[unit_id(results, "SURG")]
    assert surgery.agreement.team_property == (rwg >= 0.70)
    assert surgery.agreement.value == round(rwg, 2)  # 14 responses: at least 2k
    theatres = teams["lines"][1]
    assert theatres.agreement.value is None  # 8 responses: the band only
    assert theatres.real_team.pct_banded
    share = rs.load_results(spring).table(level=1, measures="all")
    cell = next(r for r in share.rows if r.unit_code == "SURG").cells["real_team"]
    assert surgery.real_team.pct == f"{cell.pct_positive:.0f}%"
    assert "rwg(J)" in page_text(response)
    assert "In plain words: rwg(J) runs from 0" in page_text(response)
    assert "For analysts: rwg(J): within-group agreement" in page_text(response)


def unit_id(results, code):
    return next(ref.id for ref in results.units.refs.values() if ref.code == code)


# -- comments ------------------------------------------------------------------------------------


def test_comments_of_a_unit_at_the_comment_threshold_with_masked_samples(client_for, spring):
    response = client_for("board").get(unit_url(spring, "MED"))  # 12 + 3 commenters
    comments = response.context_data["comments"]
    assert comments["asked"] and comments["shown"]
    group = comments["groups"][0]
    assert group["title"] == "All comments" and group["shown"]
    assert group["commenters"] == 15 and group["comments"] == 15
    assert group["themes"] and sum(t["count"] for t in group["themes"]) + group["unthemed"] == 15
    assert len(group["samples"]) == 3
    for sample in group["samples"]:
        assert "[name removed]" in sample["text"]
        assert "[phone number removed]" in sample["text"] and "07700" not in sample["text"]
    html = response.content.decode()
    assert "07700" not in html
    assert "data-sample" in html


def test_comments_below_the_comment_threshold_are_hidden(client_for, spring, trust):
    client = client_for("board")
    w1 = client.get(unit_url(spring, "W1")).context_data["comments"]  # 12, but CARD − W1 = 3
    assert not w1["shown"]
    assert w1["groups"][0]["reason"] == (
        "Hidden so that a smaller group's comments cannot be worked out"
    )
    assert "samples" not in w1["groups"][0] and "themes" not in w1["groups"][0]
    few = wave_with_comments(trust, {"W1": 12, "T1": 12}, {"W1": 9}, title="Few comments")
    response = client.get(unit_url(few, "MED"))
    comments = response.context_data["comments"]
    assert response.context_data["responses"] == "12"  # enough responses, too few commenters
    assert comments["groups"][0] == {
        "title": "All comments",
        "dimension": None,
        "shown": False,
        "reason": "Fewer than 10 people commented",
    }
    text = page_text(response)
    assert "Not shown: Fewer than 10 people commented" in text
    assert "Short staffed" not in text and "Sample comments" not in text


def test_themes_are_fitted_once_per_wave(client_for, spring, monkeypatch):
    cache.clear()  # after the fixtures, which may have fitted themes
    memory.clear_all()
    calls = []
    real_fit = themes.fit_themes

    def counting_fit(records, **options):
        calls.append(len(records))
        return real_fit(records, **options)

    monkeypatch.setattr(themes, "fit_themes", counting_fit)
    client = client_for("od")
    for code in ("MED", "CARD", "TST1-ROOT", "MED"):
        assert client.get(unit_url(spring, code)).status_code == 200
    assert calls == [25]
    # another process (an empty process cache) reads the shared cache, without the text
    memory.clear_all()
    again = client.get(unit_url(spring, "MED")).context_data["comments"]
    assert calls == [25]
    assert again["groups"][0]["themes"]
    records = unit_results.comment_records(spring, services.wave_instruments(spring))
    stored = cache.get(f"colead:insights:themes:{unit_results._digest(spring.pk, records)}")
    assert len(stored["assigned"]) == 25 and stored["themes"]
    assert "Short staffed" not in repr(stored) and "07700" not in repr(stored)


def test_closing_a_wave_fits_its_themes_in_the_background(
    client_for, trust, autumn, monkeypatch, django_capture_on_commit_callbacks
):
    from colead.insights.tasks import fit_wave_themes

    cache.clear()  # after the fixtures, which may have fitted themes
    memory.clear_all()
    calls = []
    real_fit = themes.fit_themes

    def counting_fit(records, **options):
        calls.append(len(records))
        return real_fit(records, **options)

    monkeypatch.setattr(themes, "fit_themes", counting_fit)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        spring = wave_with_comments(trust, SPRING, SPRING_COMMENTERS, title="Spring")
    assert len(callbacks) == 1
    assert calls == [25]  # fitted once the close committed (at once with this task backend)
    memory.clear_all()  # a web process that has fitted nothing
    page = client_for("od").get(unit_url(spring, "MED"))
    assert page.context_data["comments"]["groups"][0]["themes"]
    assert calls == [25]  # read from the cache, not fitted again
    # Nothing to do for a wave that is not closed or asked no free-text question.
    assert fit_wave_themes.call(make_wave(trust, title="Open", launch=True).pk) == 0
    assert fit_wave_themes.call(autumn.pk) == 0


# -- links, access and errors -------------------------------------------------------------------


def test_breadcrumbs_child_chooser_and_other_waves(client_for, autumn, spring):
    response = client_for("board").get(unit_url(spring, "CARD"))
    crumbs = [c["text"] for c in response.context_data["breadcrumbs"]]
    assert crumbs == ["Home", "Results", "Spring", "Test Trust", "Medicine"]
    assert response.context_data["breadcrumbs"][2]["href"].endswith("?level=directorate")
    children = response.context_data["children"]
    assert [(c["name"], c["responses"]) for c in children] == [
        ("Ward 1", "Hidden"),
        ("Ward 2", "<5"),
    ]
    html = response.content.decode()
    assert f'href="{unit_url(spring, "W1")}"' in html
    assert response.context_data["earlier"]["href"] == unit_url(autumn, "CARD")
    assert response.context_data["later"] is None
    assert "Earlier wave" in html and 'aria-label="Other waves"' in html


def test_the_heatmap_links_each_unit_to_its_page(client_for, spring):
    html = client_for("board").get(reverse("insights:heatmap", args=[spring.pk])).content.decode()
    assert f'<a href="{unit_url(spring, "MED")}">Medicine</a>' in html
    assert f'<a href="{unit_url(spring, "SURG")}">Surgery</a>' in html
    grouped = client_for("board").get(
        reverse("insights:heatmap", args=[spring.pk]) + "?group=medical_dental&show_hidden=1"
    )
    assert f'<a href="{unit_url(spring, "MED")}">Medicine</a>: Medical and dental' in (
        grouped.content.decode()
    )


def test_access_per_role(client_for, spring):
    for persona in ("board", "od", "admin"):
        assert client_for(persona).get(unit_url(spring, "T1")).status_code == 200, persona
    manager = client_for("manager")  # manages Ward 1, and is staff there
    for own in ("W1", "CARD", "MED", "TST1-ROOT"):  # and the units above, as all staff
        assert manager.get(unit_url(spring, own)).status_code == 200, own
    for outside in ("T1", "W2", "SURG"):
        assert manager.get(unit_url(spring, outside)).status_code == 403, outside
    own = manager.get(unit_url(spring, "W1"))
    assert [c["text"] for c in own.context_data["breadcrumbs"]] == [
        "Home",
        "Results",
        "Spring",
        "Test Trust",
        "Medicine",
        "Cardiology",
    ]
    assert client_for("staff").get(unit_url(spring, "W1")).status_code == 200  # their own
    for persona in ("change", "safety"):
        assert client_for(persona).get(unit_url(spring, "W1")).status_code == 403, persona
    assert client_for("outsider").get(unit_url(spring, "W1")).status_code == 404


def test_unknown_units_and_waves_are_404s_that_say_why(client_for, spring, trust):
    client = client_for("board")
    forged = client.get(unit_url(spring, "NO-SUCH<script>"))
    assert forged.status_code == 404
    text = page_text(forged)
    assert "There is no unit with the code “NO-SUCH<script>” in Test Trust" in text
    assert "<script>" not in forged.content.decode().split("<main", 1)[1].split("</main>")[0]
    assert client.get(unit_url(spring, "OTH-ROOT")).status_code == 404  # another organisation
    open_wave = make_wave(trust, title="Open", launch=True)
    assert client.get(unit_url(open_wave, "MED")).status_code == 409  # not closed: says so
    assert client.get(reverse("insights:unit", args=[999999, "MED"])).status_code == 404
    assert not AuditEvent.objects.filter(action="insights.unit_view").exists()


def test_each_view_is_audited(client_for, spring, persona_users):
    client_for("od").get(unit_url(spring, "MED"))
    client_for("board").get(unit_url(spring, "W2"))
    events = list(AuditEvent.objects.filter(action="insights.unit_view").order_by("pk"))
    assert [(e.actor_id, e.detail) for e in events] == [
        (persona_users["od"].pk, {"unit": "MED", "comments_shown": True}),
        (persona_users["board"].pk, {"unit": "W2", "comments_shown": False}),
    ]
    assert events[0].object_id == str(spring.pk)
