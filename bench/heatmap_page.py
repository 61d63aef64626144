"""Benchmark: the heatmap page of a trust-sized wave (issue 4).

Builds, in a throwaway SQLite database, a trust of about 380 units (5 divisions, 25
directorates, 350 teams) and three closed waves of 15,000 respondents each on 120 scored
items (the five built-in instruments plus a synthetic one to make up the number), with staff
groups, "don't know" and skipped answers; each wave is scored as closing it would
(``insights.services.store_wave_scores``). Then it renders ``/insights/waves/<id>/heatmap/``
of the latest wave through Django's test client as a board member, after a warm-up, for several
views (each level, by score, comparison and change, by staff group, sorted by a theme), and
prints the median and 95th percentile per view and overall, and the number of queries, as
JSON (also written to bench/results/heatmap_page_<vendor>.json).

    .venv/bin/python bench/heatmap_page.py [--respondents 15000] [--waves 3] [--items 120]
        [--runs 30] [--database-url URL]

Target (issue 4): ≤ 150 ms p95 with a constant number of queries (the constancy is asserted
in tests/integration/test_insights_pages.py).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

BUILTIN = ["culture-pulse", "staff-engagement", "psychological-safety", "team-working"]
STAFF_GROUPS = (
    "nursing_midwifery_registered",
    "additional_clinical_services",
    "medical_dental",
    "allied_health_professionals",
    "administrative_clerical",
    "estates_ancillary",
)


def extra_instrument(items: int) -> str:
    """YAML of a synthetic instrument with ``items`` agreement items in dimensions of six."""
    lines = [
        "code: bench-extra",
        "version: 1",
        "title: Synthetic items",
        "scales:",
        "  agree5: {points: 5, labels: [SD, D, N, A, SA], dont_know: true}",
        "dimensions:",
    ]
    dims = max(1, items // 6)
    lines += [f"  - {{code: extra_{d}, title: Extra theme {d + 1}}}" for d in range(dims)]
    lines.append("items:")
    for i in range(items):
        d = min(i // 6, dims - 1)
        reverse = ", reverse: true" if i % 13 == 5 else ""
        lines.append(
            f"  - {{code: ex{i}, scale: agree5, dimension: extra_{d}{reverse}, "
            f'text: "Synthetic statement {i}."}}'
        )
    return "\n".join(lines) + "\n"


def build(respondents: int, waves: int, items: int, seed: int = 7) -> dict:
    import numpy as np

    from colead.accounts.models import RoleAssignment, User
    from colead.org.models import Organisation, Unit

    rng = np.random.default_rng(seed)
    organisation = Organisation.objects.create(code="BENCH1", name="Bench Trust", sector="acute")
    root, teams = _build_units(organisation)
    versions = _instrument_versions(organisation, items)
    scored_items = [i for v in versions for i in v.parsed().items if i.type in ("scale", "yes_no")]
    # Team sizes: most teams 20–70 respondents, a few below the threshold.
    weights = rng.gamma(2.0, 1.0, len(teams))
    weights[rng.random(len(teams)) < 0.08] = 0.05
    team_effect = rng.normal(0, 0.35, len(teams))
    created = []
    for w in range(waves):
        wave = _closed_wave(organisation, root, versions, w)
        team_of = rng.choice(len(teams), size=respondents, p=weights / weights.sum())
        groups = rng.choice(
            len(STAFF_GROUPS), size=respondents, p=[0.35, 0.2, 0.12, 0.1, 0.15, 0.08]
        )
        lean = team_effect[team_of] + 0.1 * w + rng.normal(0, 0.6, respondents)
        _seed_responses(rng, wave, scored_items, [teams[t].pk for t in team_of], groups, lean)
        created.append(_score_wave(wave))
        time.sleep(0.01)  # distinct closing times: the later wave has the earlier as previous
    user = User.objects.create_user("board@bench.test", "bench-password-123456")
    RoleAssignment.objects.create(user=user, organisation=organisation, role="board")
    return {
        "user": user,
        "waves": created,
        "units": Unit.objects.filter(organisation=organisation).count(),
        "items": len(scored_items),
    }


def _build_units(organisation) -> tuple:
    """The root, 5 divisions of 5 directorates of 14 teams; returns the root and the teams."""
    from colead.org.models import Unit

    root = Unit.objects.create(
        organisation=organisation, code="ROOT", name="Bench Trust", level="organisation"
    )
    teams = []
    for d in range(5):
        division = Unit.objects.create(
            organisation=organisation,
            code=f"D{d}",
            name=f"Division {d + 1}",
            level="division",
            parent=root,
        )
        for r in range(5):
            directorate = Unit.objects.create(
                organisation=organisation,
                code=f"D{d}R{r}",
                name=f"Directorate {d + 1}.{r + 1}",
                level="directorate",
                parent=division,
            )
            for t in range(14):
                teams.append(
                    Unit.objects.create(
                        organisation=organisation,
                        code=f"D{d}R{r}T{t}",
                        name=f"Team {d + 1}.{r + 1}.{t + 1}",
                        level="team",
                        parent=directorate,
                    )
                )
    return root, teams


def _instrument_versions(organisation, items: int) -> list:
    """The built-in instruments, and a synthetic one when they have fewer than ``items``
    scored items."""
    from colead.core.actor import Actor
    from colead.surveys import definitions, services

    builtin = services.ensure_builtin_instruments(
        organisation=organisation, actor=Actor.system("bench")
    )
    versions = [v for v in builtin if v.code in BUILTIN]
    have = sum(
        len([i for i in v.parsed().items if i.type in ("scale", "yes_no")]) for v in versions
    )
    if items > have:
        extra = definitions.parse_instrument(extra_instrument(items - have))
        versions.append(
            services.import_instrument(
                organisation=organisation, instrument=extra, actor=Actor.system("bench")
            )[0]
        )
    return versions


def _closed_wave(organisation, root, versions, w: int):
    from django.utils import timezone

    from colead.surveys.models import Wave, WaveInstrument, WaveStatus

    wave = Wave.objects.create(
        organisation=organisation,
        title=f"Wave {w + 1}",
        status=WaveStatus.CLOSED,
        launched_at=timezone.now(),
        closed_at=timezone.now(),
        reporting_threshold=11,
    )
    wave.target_units.set([root])
    WaveInstrument.objects.bulk_create(
        WaveInstrument(wave=wave, instrument=v, position=p) for p, v in enumerate(versions)
    )
    return wave


def _seed_responses(rng, wave, scored_items, unit_ids, groups, lean) -> None:
    """One response per respondent, in their team and staff group, leaning as ``lean`` says."""
    from django.utils import timezone

    from colead.surveys.models import Response, ResponseSource

    rows = []
    for r, unit_id in enumerate(unit_ids):
        draws = rng.random(len(scored_items))
        noise = rng.normal(0, 0.9, len(scored_items))
        rows.append(
            Response(
                wave=wave,
                reporting_unit_id=unit_id,
                submitted_on=timezone.localdate(),
                demographics={"staff_group": STAFF_GROUPS[groups[r]]},
                answers=_answers(scored_items, draws, noise, lean[r]),
                source=ResponseSource.ONLINE,
            )
        )
    Response.objects.bulk_create(rows, batch_size=2000)


def _answers(scored_items, draws, noise, lean) -> dict:
    """A respondent's answers: a few skipped, a few "don't know", the rest around ``lean``."""
    answers = {}
    for j, item in enumerate(scored_items):
        if draws[j] < 0.03:
            continue
        if item.type == "yes_no":
            answers[item.code] = "yes" if draws[j] < 0.65 + 0.1 * lean else "no"
        elif draws[j] < 0.05 and item.scale.dont_know:
            answers[item.code] = "dk"
        else:
            p = item.scale.points
            value = int(round((p + 1) / 2 + 0.6 + lean + noise[j]))
            answers[item.code] = str(min(p, max(1, value)))
    return answers


def _score_wave(wave) -> dict:
    """Scores the wave as closing it would; how long that took and how much it stored."""
    from colead.core.actor import Actor
    from colead.insights.services import store_wave_scores

    started = time.perf_counter()
    scores = store_wave_scores(wave=wave, actor=Actor.system("bench"))
    return {
        "wave": wave.pk,
        "score_seconds": round(time.perf_counter() - started, 2),
        "stored_bytes": len(bytes(scores.data)),
    }


VIEWS = [
    ("level 1, score", "?level=1"),
    ("level 2, comparison", "?level=2&colour=comparison"),
    ("level 3, score", "?level=3"),
    ("level 3, change", "?level=3&colour=change"),
    ("level 3, sorted by engagement", "?level=3&sort=engagement&order=desc"),
    ("level 2, each staff group", "?level=2&group=*"),
    ("level 3, one staff group", "?level=3&group=medical_dental"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=15_000)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--items", type=int, default=120)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="colead-bench-")
    os.environ.update(
        {
            "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.sqlite3",
            "COLEAD_ENV": "development",
            "DEBUG": "false",
            "COLEAD_SECRET_KEY_FILE": f"{tmp}/key",
            "DJANGO_SETTINGS_MODULE": "colead.config.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("flush" if args.database_url else "migrate", interactive=False, verbosity=0)
    if args.database_url:
        call_command("migrate", verbosity=0)
    started = time.perf_counter()
    data = build(args.respondents, args.waves, args.items)
    build_seconds = time.perf_counter() - started

    client = Client()
    client.force_login(data["user"])
    wave = data["waves"][-1]["wave"]
    page = f"/insights/waves/{wave}/heatmap/"
    first = {}
    for name, query in VIEWS:  # warm-up: the first view of each computes and caches
        started = time.perf_counter()
        response = client.get(page + query)
        first[name] = round((time.perf_counter() - started) * 1000, 1)
        assert response.status_code == 200, (name, response.status_code)
    views, everything, queries = {}, [], {}
    for name, query in VIEWS:
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(page + query)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(page + query)
        queries[name] = len(captured)
        timings.sort()
        everything += timings
        views[name] = {
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
            "first_ms": first[name],
            "bytes": len(response.content),
        }
    everything.sort()
    result = {
        "benchmark": "heatmap page",
        "database": connection.vendor,
        "respondents_per_wave": args.respondents,
        "waves": args.waves,
        "items": data["items"],
        "units": data["units"],
        "build_seconds": round(build_seconds, 1),
        "scoring": data["waves"],
        "runs_per_view": args.runs,
        "median_ms": round(statistics.median(everything), 1),
        "p95_ms": round(everything[int(0.95 * (len(everything) - 1))], 1),
        "max_ms": round(everything[-1], 1),
        "queries": sorted(set(queries.values())),
        "views": views,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"heatmap_page_{connection.vendor}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
